#ifndef CLMDB_SHIM_H
#define CLMDB_SHIM_H
#include <lmdb.h>

/// Asks the CPU to bring the cache line at `p` into its caches, without
/// waiting for it: a hint that never faults (an address that is not mapped is
/// ignored) and changes no result. Used by LMDB's `Cursor.prefetchKeyPage`.
static inline void clmdb_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}
#endif
