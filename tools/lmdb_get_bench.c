/*
 * lmdb_get_bench: the physical limit for online lookups.
 *
 * Opens an LMDB environment read-only (a store directory, or any LMDB
 * directory), collects the keys of one named database (default "online") with
 * a cursor, then times random mdb_get calls over them, the way the store's
 * online read would do them:
 *
 *   one_txn       all gets in one read transaction         -> ns per get
 *   txn_per_get   begin + get + abort for every lookup     -> ns per lookup
 *                 (the figure to compare with "1 entity x 10 features":
 *                 one online row holds all features of an entity)
 *   renew_per_get reset + renew + get on one pooled read txn -> ns per lookup
 *   txn_per_100   begin + 100 gets + abort                 -> ns per 100-entity lookup
 *
 * Keys are picked with xorshift64* (same sequence in every variant and run),
 * each value's first and last byte are read so its bytes are really touched,
 * and every figure is the minimum over several passes. Prints one JSON line.
 *
 * Build: gcc -O2 -o lmdb_get_bench tools/lmdb_get_bench.c -llmdb
 * Usage: lmdb_get_bench DIR [--db NAME] [--keys N] [--gets N] [--passes P]
 *                           [--hot K] [--seed S]
 */
#include <errno.h>
#include <inttypes.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void die(const char *what, int rc) {
    fprintf(stderr, "lmdb_get_bench: %s: %s\n", what, rc ? mdb_strerror(rc) : "failed");
    exit(1);
}

#define CHECK(call)                         \
    do {                                    \
        int rc_ = (call);                   \
        if (rc_ != MDB_SUCCESS) die(#call, rc_); \
    } while (0)

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: cheap, deterministic, good enough to scatter lookups. */
static inline uint64_t next_random(uint64_t *state) {
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* All keys, packed into one arena. */
typedef struct {
    unsigned char *bytes;
    size_t *offset; /* key i is bytes[offset[i] .. offset[i+1]) */
    size_t count;
    size_t value_bytes;
} KeySet;

static void collect_keys(MDB_env *env, MDB_dbi dbi, size_t limit, KeySet *ks) {
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    size_t cap_keys = 1024, cap_bytes = 1 << 16, used = 0;
    ks->bytes = malloc(cap_bytes);
    ks->offset = malloc((cap_keys + 1) * sizeof(size_t));
    ks->count = 0;
    ks->value_bytes = 0;
    if (!ks->bytes || !ks->offset) die("malloc", 0);
    CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
    CHECK(mdb_cursor_open(txn, dbi, &cur));
    int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == MDB_SUCCESS && (limit == 0 || ks->count < limit)) {
        if (ks->count == cap_keys) {
            cap_keys *= 2;
            ks->offset = realloc(ks->offset, (cap_keys + 1) * sizeof(size_t));
            if (!ks->offset) die("realloc", 0);
        }
        while (used + k.mv_size > cap_bytes) {
            cap_bytes *= 2;
            ks->bytes = realloc(ks->bytes, cap_bytes);
            if (!ks->bytes) die("realloc", 0);
        }
        ks->offset[ks->count++] = used;
        memcpy(ks->bytes + used, k.mv_data, k.mv_size);
        used += k.mv_size;
        ks->value_bytes += v.mv_size;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) die("mdb_cursor_get", rc);
    ks->offset[ks->count] = used;
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
}

/*
 * The lookup sequence: the keys to get, in order, copied into one sequential
 * buffer before timing (fixed stride, length in front). A real lookup builds
 * its key from the request; reading it from here costs no cache miss, so
 * the timings are of LMDB alone, not of finding the key in a big array.
 */
typedef struct {
    unsigned char *slots;
    size_t stride;
    uint64_t count;
} Sequence;

static void make_sequence(const KeySet *ks, size_t range, uint64_t gets, uint64_t seed, Sequence *seq) {
    size_t maxlen = 0;
    for (size_t i = 0; i < range; i++) {
        size_t len = ks->offset[i + 1] - ks->offset[i];
        if (len > maxlen) maxlen = len;
    }
    seq->stride = (2 + maxlen + 7) & ~(size_t)7;
    seq->count = gets;
    seq->slots = malloc(seq->stride * gets);
    if (!seq->slots) die("malloc (lookup sequence; try a smaller --gets)", 0);
    uint64_t state = seed;
    for (uint64_t n = 0; n < gets; n++) {
        size_t i = (size_t)((next_random(&state) >> 11) % range);
        size_t len = ks->offset[i + 1] - ks->offset[i];
        unsigned char *slot = seq->slots + n * seq->stride;
        slot[0] = (unsigned char)(len >> 8);
        slot[1] = (unsigned char)len;
        memcpy(slot + 2, ks->bytes + ks->offset[i], len);
    }
}

/* One lookup: get, touch the value's ends, fold into the checksum. */
static inline uint64_t lookup(MDB_txn *txn, MDB_dbi dbi, const Sequence *seq, uint64_t n) {
    const unsigned char *slot = seq->slots + n * seq->stride;
    MDB_val k = {.mv_size = ((size_t)slot[0] << 8) | slot[1], .mv_data = (void *)(slot + 2)};
    MDB_val v;
    int rc = mdb_get(txn, dbi, &k, &v);
    if (rc != MDB_SUCCESS) die("mdb_get", rc);
    const unsigned char *p = v.mv_data;
    return v.mv_size + (v.mv_size ? p[0] + p[v.mv_size - 1] : 0);
}

static uint64_t checksum;

static double pass_one_txn(MDB_env *env, MDB_dbi dbi, const Sequence *seq) {
    uint64_t sum = 0;
    MDB_txn *txn;
    uint64_t t0 = now_ns();
    CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
    for (uint64_t n = 0; n < seq->count; n++) sum += lookup(txn, dbi, seq, n);
    mdb_txn_abort(txn);
    uint64_t t1 = now_ns();
    checksum += sum;
    return (double)(t1 - t0) / (double)seq->count;
}

static double pass_txn_per_get(MDB_env *env, MDB_dbi dbi, const Sequence *seq) {
    uint64_t sum = 0;
    MDB_txn *txn;
    uint64_t t0 = now_ns();
    for (uint64_t n = 0; n < seq->count; n++) {
        CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
        sum += lookup(txn, dbi, seq, n);
        mdb_txn_abort(txn);
    }
    uint64_t t1 = now_ns();
    checksum += sum;
    return (double)(t1 - t0) / (double)seq->count;
}

static double pass_renew_per_get(MDB_env *env, MDB_dbi dbi, const Sequence *seq) {
    uint64_t sum = 0;
    MDB_txn *txn;
    CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
    mdb_txn_reset(txn);
    uint64_t t0 = now_ns();
    for (uint64_t n = 0; n < seq->count; n++) {
        CHECK(mdb_txn_renew(txn));
        sum += lookup(txn, dbi, seq, n);
        mdb_txn_reset(txn);
    }
    uint64_t t1 = now_ns();
    mdb_txn_abort(txn);
    checksum += sum;
    return (double)(t1 - t0) / (double)seq->count;
}

/* Returns ns per batch of `batch` lookups in one read txn. */
static double pass_txn_per_batch(MDB_env *env, MDB_dbi dbi, const Sequence *seq, uint64_t batch) {
    uint64_t sum = 0, batches = seq->count / batch;
    if (batches == 0) batches = 1, batch = seq->count;
    MDB_txn *txn;
    uint64_t t0 = now_ns();
    for (uint64_t b = 0; b < batches; b++) {
        CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
        for (uint64_t n = b * batch; n < (b + 1) * batch; n++) sum += lookup(txn, dbi, seq, n);
        mdb_txn_abort(txn);
    }
    uint64_t t1 = now_ns();
    checksum += sum;
    return (double)(t1 - t0) / (double)batches;
}

static void usage(void) {
    fprintf(stderr,
            "usage: lmdb_get_bench DIR [--db NAME] [--keys N] [--gets N] [--passes P] [--hot K] [--seed S]\n"
            "  DIR       an LMDB environment directory (a store), or its data file\n"
            "  --db      named database to read (default online; '-' = the unnamed main db)\n"
            "  --keys    collect only the first N keys (default all)\n"
            "  --gets    lookups per pass and variant (default 200000)\n"
            "  --passes  passes; each figure is the minimum (default 10)\n"
            "  --hot     draw keys from the first K collected only (cache-hot working set)\n"
            "  --seed    PRNG seed (default 88172645463325252)\n");
    exit(2);
}

static uint64_t parse_u64(const char *s) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || end == s) usage();
    return (uint64_t)v;
}

int main(int argc, char **argv) {
    const char *path = NULL, *dbname = "online";
    uint64_t limit = 0, gets = 200000, passes = 10, hot = 0, seed = 88172645463325252ULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) usage();
        else if (i + 1 < argc && !strcmp(a, "--db")) dbname = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "--keys")) limit = parse_u64(argv[++i]);
        else if (i + 1 < argc && !strcmp(a, "--gets")) gets = parse_u64(argv[++i]);
        else if (i + 1 < argc && !strcmp(a, "--passes")) passes = parse_u64(argv[++i]);
        else if (i + 1 < argc && !strcmp(a, "--hot")) hot = parse_u64(argv[++i]);
        else if (i + 1 < argc && !strcmp(a, "--seed")) seed = parse_u64(argv[++i]);
        else if (a[0] != '-' && !path) path = a;
        else usage();
    }
    if (!path || gets == 0 || passes == 0 || seed == 0) usage();

    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "lmdb_get_bench: %s: %s\n", path, strerror(errno));
        return 1;
    }
    unsigned int flags = MDB_RDONLY | MDB_NOTLS;
    if (!S_ISDIR(st.st_mode)) flags |= MDB_NOSUBDIR;

    MDB_env *env;
    CHECK(mdb_env_create(&env));
    CHECK(mdb_env_set_maxdbs(env, 64));
    CHECK(mdb_env_set_maxreaders(env, 126));
    int rc = mdb_env_open(env, path, flags, 0644);
    if (rc != MDB_SUCCESS) {
        fprintf(stderr, "lmdb_get_bench: cannot open LMDB environment at %s: %s\n", path, mdb_strerror(rc));
        return 1;
    }

    /* The txn that opens a DBI must commit, or the handle is discarded. */
    MDB_txn *txn;
    MDB_dbi dbi;
    CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
    rc = mdb_dbi_open(txn, strcmp(dbname, "-") ? dbname : NULL, 0, &dbi);
    if (rc != MDB_SUCCESS) {
        fprintf(stderr, "lmdb_get_bench: cannot open database '%s' in %s: %s\n", dbname, path, mdb_strerror(rc));
        return 1;
    }
    CHECK(mdb_txn_commit(txn));

    KeySet ks;
    collect_keys(env, dbi, (size_t)limit, &ks);
    if (ks.count == 0) {
        fprintf(stderr, "lmdb_get_bench: database '%s' is empty\n", dbname);
        return 1;
    }
    size_t range = (hot && hot < ks.count) ? (size_t)hot : ks.count;

    MDB_stat ms;
    MDB_envinfo info;
    CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
    CHECK(mdb_stat(txn, dbi, &ms));
    mdb_txn_abort(txn);
    CHECK(mdb_env_info(env, &info));

    Sequence seq;
    make_sequence(&ks, range, gets, seed, &seq);
    const uint64_t batch = 100;
    double best_one = 1e300, best_each = 1e300, best_renew = 1e300, best_batch = 1e300;

    /* A warm-up pass (untimed) pages the B-tree in, then the timed passes,
       variants interleaved so that load from other processes hits all alike. */
    pass_one_txn(env, dbi, &seq);
    for (uint64_t p = 0; p < passes; p++) {
        double t;
        if ((t = pass_one_txn(env, dbi, &seq)) < best_one) best_one = t;
        if ((t = pass_txn_per_get(env, dbi, &seq)) < best_each) best_each = t;
        if ((t = pass_renew_per_get(env, dbi, &seq)) < best_renew) best_renew = t;
        if ((t = pass_txn_per_batch(env, dbi, &seq, batch)) < best_batch) best_batch = t;
    }
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) < 1) load[0] = -1;

    printf("{\"tool\":\"lmdb_get_bench\",\"lmdb\":\"%s\",\"path\":\"%s\",\"db\":\"%s\","
           "\"entries\":%zu,\"keys_used\":%zu,\"avg_key_bytes\":%.1f,\"avg_value_bytes\":%.1f,"
           "\"depth\":%u,\"map_size\":%zu,\"gets_per_pass\":%" PRIu64 ",\"passes\":%" PRIu64 ","
           "\"one_txn_ns_per_get\":%.1f,\"txn_per_get_ns_per_lookup\":%.1f,"
           "\"renew_per_get_ns_per_lookup\":%.1f,\"txn_per_100_ns_per_lookup\":%.1f,"
           "\"txn_per_100_ns_per_get\":%.1f,\"loadavg_1m\":%.2f,\"checksum\":%" PRIu64 "}\n",
           MDB_VERSION_STRING, path, dbname, (size_t)ms.ms_entries, range,
           (double)ks.offset[ks.count] / (double)ks.count, (double)ks.value_bytes / (double)ks.count,
           ms.ms_depth, (size_t)info.me_mapsize, gets, passes, best_one, best_each, best_renew,
           best_batch, best_batch / (double)batch, load[0], checksum);

    free(seq.slots);
    free(ks.bytes);
    free(ks.offset);
    mdb_env_close(env);
    return 0;
}
