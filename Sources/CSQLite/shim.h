// SQLite's C API; SQLITE_TRANSIENT is a macro Swift cannot import, so it is offered as a function.
#ifndef PICO_CSQLITE_SHIM_H
#define PICO_CSQLITE_SHIM_H
#include <sqlite3.h>

static inline sqlite3_destructor_type pico_sqlite_transient(void) { return SQLITE_TRANSIENT; }

// sqlite3_db_config is variadic, which Swift cannot call: the lookaside allocator's slot size and count.
static inline int pico_sqlite_lookaside(sqlite3 *db, int slotSize, int slots) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_LOOKASIDE, (void *)0, slotSize, slots);
}
#endif
