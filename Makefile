# PGXS build of the inventory extension: inventory.so from src/**/*.cpp, the control and SQL
# files, pg_regress tests from sql/ + expected/ and isolation specs from test/isolation/.
EXTENSION = inventory
MODULE_big = inventory
# SQL scripts (src/sql/README.md): the install script of the current version and the update
# from the last release are generated from the sources in src/sql/ (build output, not tracked);
# the scripts of released versions are frozen in src/sql/released/.
EXTVERSION = 0.5.0
PREVIOUS_VERSION = 0.4.0
SQL_SOURCES = $(foreach f,$(shell cat $(CURDIR)/src/sql/ORDER),src/sql/$(f).sql)
SQL_CHANGE_FILE = src/sql/updates/$(PREVIOUS_VERSION)--$(EXTVERSION).sql
GENERATED_SCRIPTS = $(EXTENSION)--$(EXTVERSION).sql $(EXTENSION)--$(PREVIOUS_VERSION)--$(EXTVERSION).sql
DATA = $(wildcard src/sql/released/$(EXTENSION)--*.sql) $(GENERATED_SCRIPTS)
EXTRA_CLEAN = $(GENERATED_SCRIPTS)
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

all: $(GENERATED_SCRIPTS)
# Install: every source, CREATE OR REPLACE and IF NOT EXISTS stripped (a fresh install creates
# each object once, and a name that is taken is an error).
$(EXTENSION)--$(EXTVERSION).sql: src/sql/ORDER $(SQL_SOURCES)
	{ echo '-- inventory $(EXTVERSION), generated from src/sql/ by the Makefile; do not edit.'; \
	  printf '%s\n' '\echo Use "CREATE EXTENSION $(EXTENSION)" to load this file. \quit'; \
	  for f in $(SQL_SOURCES); do echo; echo "-- $$f"; \
	    sed -E 's/^CREATE OR REPLACE /CREATE /; s/^CREATE (TABLE|SEQUENCE|INDEX|UNIQUE INDEX) IF NOT EXISTS /CREATE \1 /' $$f; \
	  done; } > $@
# Update from the last release: the change file, then every source as written.
$(EXTENSION)--$(PREVIOUS_VERSION)--$(EXTVERSION).sql: $(SQL_CHANGE_FILE) src/sql/ORDER $(SQL_SOURCES)
	{ cat $(SQL_CHANGE_FILE); \
	  for f in $(SQL_SOURCES); do echo; echo "-- $$f"; cat $$f; done; } > $@

.PHONY: isolation-specs format
installcheck: isolation-specs
isolation-specs:
	@mkdir -p test/isolation/specs
	@for t in $(ISOLATION_TEMPLATES); do for l in $(ISOLATION_LEVELS); do \
	  sed "s/@ISOLATION@/$$(echo $$l | tr _ ' ')/g" test/isolation/templates/$$t.spec \
	    > test/isolation/specs/$$t-$$l.spec; done; done

format:
	clang-format -i src/core/*.hpp src/core/*.cpp src/pg/*.hpp src/pg/*.cpp test/unit/*.cpp test/unit/*.hpp test/fuzz/*.cpp
