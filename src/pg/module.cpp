// The extension's module: PG_MODULE_MAGIC lives here and nowhere else.
#include "pg/postgres_headers.hpp"

extern "C" {
PG_MODULE_MAGIC;
}
