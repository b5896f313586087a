/*
 * lmdb_walk_bench: a forward walk of one named database (default "events"),
 * two ways, in one process: what LeafScan (Sources/LMDB/Cursor+LeafScan.swift)
 * saves over stepping with mdb_cursor_get(MDB_NEXT).
 *
 *   cursor  MDB_NEXT for every entry
 *   pages   the rest of each leaf page's entries read from the map (LMDB's
 *           16-byte page header, 16-bit node offsets, 8-byte node headers),
 *           then MDB_SET_KEY on the page's last key and MDB_NEXT to cross to
 *           the next leaf, as LeafScan does
 *
 * Each entry's last key byte and first value byte are read, so the node and
 * its value are touched; both walks must see the same entries and the same
 * checksum. Run it twice when the file may not be in the page cache: the
 * first walk of a cold file measures the disk. Prints one JSON line per walk.
 *
 * Build: gcc -O2 -o lmdb_walk_bench tools/lmdb_walk_bench.c -llmdb
 * Usage: lmdb_walk_bench DIR [--db NAME] [--rounds R]
 *        (DIR: a store directory, e.g. bench-data/pit/large/store)
 */
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void check(int rc, const char *what) {
    if (rc != 0) {
        fprintf(stderr, "lmdb_walk_bench: %s: %s\n", what, mdb_strerror(rc));
        exit(1);
    }
}

typedef struct { uint64_t entries, sum, pages; double seconds; } Walk;

static Walk walk_cursor(MDB_txn *txn, MDB_dbi dbi) {
    MDB_cursor *c;
    MDB_val k, v;
    Walk w = {0};
    check(mdb_cursor_open(txn, dbi, &c), "mdb_cursor_open");
    double t0 = now();
    int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
    while (rc == 0) {
        w.entries++;
        w.sum += ((unsigned char *)k.mv_data)[k.mv_size - 1] + (v.mv_size ? ((unsigned char *)v.mv_data)[0] : 0);
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    if (rc != MDB_NOTFOUND) check(rc, "mdb_cursor_get");
    w.seconds = now() - t0;
    mdb_cursor_close(c);
    return w;
}

static Walk walk_pages(MDB_txn *txn, MDB_dbi dbi, size_t page_size) {
    MDB_cursor *c;
    MDB_val k, v;
    Walk w = {0};
    check(mdb_cursor_open(txn, dbi, &c), "mdb_cursor_open");
    double t0 = now();
    int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
    while (rc == 0) {
        unsigned char *node = (unsigned char *)k.mv_data - 8;
        unsigned char *page = (unsigned char *)((uintptr_t)node & ~(uintptr_t)(page_size - 1));
        uint16_t flags, lower;
        memcpy(&flags, page + 10, 2);
        memcpy(&lower, page + 12, 2);
        int count = (lower - 16) / 2, i = 0;
        uint16_t offset = (uint16_t)(node - page), ptr;
        while (i < count && (memcpy(&ptr, page + 16 + 2 * i, 2), ptr != offset)) i++;
        if (!(flags & 0x02) || i == count) {
            fprintf(stderr, "lmdb_walk_bench: the cursor's entry is not on a leaf page as expected\n");
            exit(1);
        }
        w.pages++;
        for (; i < count; i++) {
            uint16_t at, lo, hi, nflags, ksize;
            memcpy(&at, page + 16 + 2 * i, 2);
            unsigned char *n = page + at;
            memcpy(&lo, n, 2); memcpy(&hi, n + 2, 2); memcpy(&nflags, n + 4, 2); memcpy(&ksize, n + 6, 2);
            k.mv_data = n + 8;
            k.mv_size = ksize;
            if (nflags != 0) {   /* a value on overflow pages: the cursor reads it */
                check(mdb_cursor_get(c, &k, &v, MDB_SET_KEY), "mdb_cursor_get(MDB_SET_KEY)");
            } else {
                v.mv_data = n + 8 + ksize;
                v.mv_size = (size_t)lo | (size_t)hi << 16;
            }
            w.entries++;
            w.sum += ((unsigned char *)k.mv_data)[k.mv_size - 1] + (v.mv_size ? ((unsigned char *)v.mv_data)[0] : 0);
        }
        /* k is the page's last key: the cursor goes there (its own page), then on. */
        check(mdb_cursor_get(c, &k, &v, MDB_SET_KEY), "mdb_cursor_get(MDB_SET_KEY)");
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    if (rc != MDB_NOTFOUND) check(rc, "mdb_cursor_get");
    w.seconds = now() - t0;
    mdb_cursor_close(c);
    return w;
}

int main(int argc, char **argv) {
    const char *dir = NULL, *db = "events";
    int rounds = 2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc) db = argv[++i];
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (argv[i][0] != '-' && !dir) dir = argv[i];
        else {
            fprintf(stderr, "usage: lmdb_walk_bench DIR [--db NAME] [--rounds R]\n");
            return 2;
        }
    }
    if (!dir || rounds < 1) {
        fprintf(stderr, "usage: lmdb_walk_bench DIR [--db NAME] [--rounds R]\n");
        return 2;
    }
    MDB_env *env;
    check(mdb_env_create(&env), "mdb_env_create");
    check(mdb_env_set_maxdbs(env, 64), "mdb_env_set_maxdbs");
    check(mdb_env_set_mapsize(env, (size_t)1 << 40), "mdb_env_set_mapsize");
    check(mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS | MDB_NORDAHEAD, 0644), "mdb_env_open");
    MDB_stat stat;
    check(mdb_env_stat(env, &stat), "mdb_env_stat");
    MDB_txn *txn;
    check(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), "mdb_txn_begin");
    MDB_dbi dbi;
    check(mdb_dbi_open(txn, db, 0, &dbi), "mdb_dbi_open");
    unsigned int dbflags;
    check(mdb_dbi_flags(txn, dbi, &dbflags), "mdb_dbi_flags");
    if (dbflags & MDB_DUPSORT) {
        fprintf(stderr, "lmdb_walk_bench: %s is MDB_DUPSORT: not walked by pages\n", db);
        return 1;
    }
    for (int r = 1; r <= rounds; r++) {
        Walk a = walk_cursor(txn, dbi);
        Walk b = walk_pages(txn, dbi, stat.ms_psize);
        if (a.entries != b.entries || a.sum != b.sum) {
            fprintf(stderr, "lmdb_walk_bench: the walks differ (%llu/%llu entries)\n",
                    (unsigned long long)a.entries, (unsigned long long)b.entries);
            return 1;
        }
        printf("{\"round\":%d,\"walk\":\"cursor\",\"entries\":%llu,\"seconds\":%.3f,\"ns_per_entry\":%.1f}\n",
               r, (unsigned long long)a.entries, a.seconds, a.seconds * 1e9 / (a.entries ? a.entries : 1));
        printf("{\"round\":%d,\"walk\":\"pages\",\"entries\":%llu,\"leaf_pages_entered\":%llu,\"seconds\":%.3f,\"ns_per_entry\":%.1f}\n",
               r, (unsigned long long)b.entries, (unsigned long long)b.pages, b.seconds,
               b.seconds * 1e9 / (b.entries ? b.entries : 1));
    }
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return 0;
}
