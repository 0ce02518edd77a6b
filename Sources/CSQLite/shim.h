// SQLite's C API; SQLITE_TRANSIENT is a macro Swift cannot import, so it is offered as a function.
#ifndef PICO_CSQLITE_SHIM_H
#define PICO_CSQLITE_SHIM_H
#include <sqlite3.h>

static inline sqlite3_destructor_type pico_sqlite_transient(void) { return SQLITE_TRANSIENT; }
#endif
