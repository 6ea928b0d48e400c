# PGXS build of the inventory extension: inventory.so from src/**/*.cpp, the control and SQL
# files, pg_regress tests from sql/ + expected/ and isolation specs from test/isolation/.
EXTENSION = inventory
MODULE_big = inventory
# Update scripts assembled from fragments (updates/README.md); the released ones are tracked.
GENERATED_UPDATES = inventory--0.3.0--0.3.1.sql
DATA = $(filter-out $(GENERATED_UPDATES),$(wildcard inventory--*.sql)) $(GENERATED_UPDATES)
EXTRA_CLEAN = $(GENERATED_UPDATES)
PGFILEDESC = "inventory - ledger-backed stock levels"

OBJS = $(patsubst %.cpp,%.o,$(wildcard src/core/*.cpp src/pg/*.cpp))

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=plpgsql
# Each isolation spec template runs at every isolation level: templates/NAME.spec becomes
# specs/NAME-LEVEL.spec (generated, not committed), checked against expected/NAME-LEVEL.out.
ISOLATION_LEVELS = read_committed repeatable_read serializable
ISOLATION_TEMPLATES = $(patsubst test/isolation/templates/%.spec,%,$(sort $(wildcard test/isolation/templates/*.spec)))
ISOLATION = $(foreach t,$(ISOLATION_TEMPLATES),$(foreach l,$(ISOLATION_LEVELS),$(t)-$(l)))
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=output_iso

PG_CONFIG ?= pg_config
PG_CXXFLAGS = -std=c++20 -Wall -Wextra -Wno-unused-parameter \
              -Wno-missing-field-initializers -Wno-register -Werror=return-type
# -MMD: rebuild an object when a header it includes changes (PGXS does not track headers).
PG_CPPFLAGS = -I$(CURDIR)/src -MMD -MP
EXTRA_CLEAN += $(OBJS:.o=.d)
SHLIB_LINK = -lstdc++

# The C++ core is not meant for LLVM bitcode inlining; skip the JIT bitcode step.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

-include $(OBJS:.o=.d)

all: $(GENERATED_UPDATES)
inventory--0.3.0--0.3.1.sql: $(sort $(wildcard updates/0.3.0--0.3.1/*.sql))
	cat $^ > $@

.PHONY: isolation-specs format
installcheck: isolation-specs
isolation-specs:
	@mkdir -p test/isolation/specs
	@for t in $(ISOLATION_TEMPLATES); do for l in $(ISOLATION_LEVELS); do \
	  sed "s/@ISOLATION@/$$(echo $$l | tr _ ' ')/g" test/isolation/templates/$$t.spec \
	    > test/isolation/specs/$$t-$$l.spec; done; done

format:
	clang-format -i src/core/*.hpp src/core/*.cpp src/pg/*.hpp src/pg/*.cpp test/unit/*.cpp test/unit/*.hpp test/fuzz/*.cpp
