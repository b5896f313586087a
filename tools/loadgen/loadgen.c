/*
 * loadgen: one load generator for FeatureStore's `fsctl serve` and for Redis,
 * so both are measured by the same code, with the same connections, pipeline
 * depth, keys and clock (tools/bench_serve.sh runs it; docs/benchmarks.md).
 *
 *   loadgen --proto fs|redis [--host H] [--port P] [--conns C] [--depth D]
 *           [--batch B] [--keys K] [--seconds S] [--warmup S] [--seed N]
 *           [--features bench_stats:*] [--prefix user:] [--fields f0,...,f9]
 *           [--label TEXT]
 *
 * One thread per connection. Each keeps D requests in flight (closed loop):
 * it writes D requests, then for every reply read writes one more. Both
 * servers answer reads in order, so a FIFO of send times gives each
 * request's latency (send of the request to arrival of its last reply byte).
 *
 * A request looks up B random entities (uniform over 1..K):
 *   fs:    one GET_ONLINE frame of B int64 keys against a list prepared once
 *          (PREPARE of --features), docs/wire-protocol.md 4.6;
 *   redis: B pipelined `HMGET <prefix><id> f0 … f9` commands, written at once;
 *          the request is done when the B-th reply has arrived.
 * Every reply is parsed in full (every cell / every bulk string) and counted:
 * `missing` is the number of feature values that came back null.
 *
 * Prints one JSON line: lookups/s (entities per second), requests/s, and
 * p50/p99/p999/max request latency in microseconds, over the measured
 * seconds (after the warm-up).
 *
 * Predict mode (tools/bench_predict.sh): `--proto fs --mode predict --model REF
 * --rate R` sends PREDICT frames (docs/wire-protocol.md 4.8) of B random
 * `user_id`s **open loop**: requests go out on a fixed schedule of R per
 * second, round-robin over the C connections, whatever the replies do (one
 * sender thread for all connections, a reader thread per connection). p50/p99/p999 run from each request's actual send
 * to its reply; sched_p50/p99/p999 from its *scheduled* send time, so a
 * server that stalls the sender (or a sender the OS wakes late) shows there
 * (no coordinated omission). `missing` counts entities whose status is not
 * COMPLETE. The closed-loop modes above are unchanged.
 *
 * `--rate R` without `--mode predict` drives the lookups above (fs or redis)
 * on the same open-loop schedule, so the machine's floor for an idle server
 * woken per request (Redis) is measured by the same code in the same run.
 *
 * Minimal protocol code of its own on purpose: it shares nothing with the
 * server it measures. Plain blocking sockets and pthreads; Linux.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum proto { FS, REDIS };

static struct {
    enum proto proto;
    const char *host, *port, *features, *prefix, *fields, *label;
    int conns, depth, batch;
    uint64_t keys, seed;
    double seconds, warmup;
} opt = {FS, "127.0.0.1", NULL, "bench_stats:*", "user:", "f0,f1,f2,f3,f4,f5,f6,f7,f8,f9", "", 4, 16, 1, 1000000, 1, 10, 2};

/* Predict mode (open loop): the model ref, the join key's name, requests/s over all connections. */
static struct {
    int on, open;  /* on: PREDICT frames; open: open loop at `rate` (always with PREDICT, or with --rate) */
    int spin;      /* --sender spin: busy-wait the last 200 µs before each due time (default: sleep) */
    const char *model, *key;
    double rate;
} predict_opt = {0, 0, 0, "bench@production", "user_id", 10000};

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "loadgen: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- buffers */

typedef struct { uint8_t *p; size_t len, cap; } buf_t;

static void buf_reserve(buf_t *b, size_t extra) {
    if (b->len + extra <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra) cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p) die("out of memory");
    b->cap = cap;
}
static void put(buf_t *b, const void *src, size_t n) { buf_reserve(b, n); memcpy(b->p + b->len, src, n); b->len += n; }
static void put_u8(buf_t *b, uint8_t x) { put(b, &x, 1); }
static void put_u16(buf_t *b, uint16_t x) { uint8_t v[2] = {x >> 8, x}; put(b, v, 2); }
static void put_u32(buf_t *b, uint32_t x) { uint8_t v[4] = {x >> 24, x >> 16, x >> 8, x}; put(b, v, 4); }
static void put_u64(buf_t *b, uint64_t x) { put_u32(b, x >> 32); put_u32(b, (uint32_t)x); }
static void put_str(buf_t *b, const char *s) { put_u16(b, (uint16_t)strlen(s)); put(b, s, strlen(s)); }
static uint32_t get_u32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* ---------------------------------------------------------------- sockets */

static int dial(void) {
    struct addrinfo hints = {0}, *res;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(opt.host, opt.port, &hints, &res);
    if (rc) die("%s:%s: %s", opt.host, opt.port, gai_strerror(rc));
    int fd = socket(res->ai_family, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) < 0) die("%s:%s: connect: %s", opt.host, opt.port, strerror(errno));
    freeaddrinfo(res);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void send_all(int fd, const uint8_t *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) { if (errno == EINTR) continue; die("write: %s", strerror(errno)); }
        p += w; n -= (size_t)w;
    }
}

/* Reads more bytes into `in` (compacting consumed ones first). */
static void fill(int fd, buf_t *in, size_t *start) {
    if (*start) { memmove(in->p, in->p + *start, in->len - *start); in->len -= *start; *start = 0; }
    buf_reserve(in, 65536);
    ssize_t r;
    do { r = read(fd, in->p + in->len, in->cap - in->len); } while (r < 0 && errno == EINTR);
    if (r < 0) die("read: %s", strerror(errno));
    if (r == 0) die("%s:%s closed the connection", opt.host, opt.port);
    in->len += (size_t)r;
}

/* ---------------------------------------------------------------- our protocol */

/* Size of the value of type `tag` at p (dim for vectors); -1 if incomplete. */
static long fs_value_size(uint8_t tag, uint32_t dim, const uint8_t *p, size_t avail) {
    switch (tag) {
    case 1: return 1;
    case 2: case 4: return 4;
    case 3: case 5: case 8: return 8;
    case 6: case 7: return avail < 4 ? -1 : 4 + (long)get_u32(p);
    case 9: return 4L * dim;
    default: die("fs: unknown type tag %u", tag);
    }
    return -1;
}

/* A whole frame at p (n bytes available)? Returns its size, 0 if incomplete. */
static size_t fs_frame(const uint8_t *p, size_t n) {
    if (n < 12) return 0;
    size_t len = 12 + get_u32(p);
    return n >= len ? len : 0;
}

/* Walks a GET_ONLINE reply payload; returns null cells. */
static uint64_t fs_parse_reply(const uint8_t *f, size_t len, uint32_t entities) {
    uint16_t flags = get_u16(f + 6);
    const uint8_t *p = f + 12, *end = f + len;
    if (flags & 2) die("fs: error reply %u: %.*s", get_u16(p), (int)get_u16(p + 2), (const char *)p + 4);
    p += 5; /* list id, described = 0 */
    uint32_t n = get_u32(p), nf = get_u32(p + 4);
    p += 8;
    if (n != entities) die("fs: %u entities in a reply to %u", n, entities);
    uint8_t tags[256];
    uint32_t dims[256];
    if (nf > 256) die("fs: %u features", nf);
    for (uint32_t i = 0; i < nf; i++) {
        tags[i] = *p++;
        dims[i] = 0;
        if (tags[i] == 9) { dims[i] = get_u32(p); p += 4; }
    }
    uint64_t missing = 0;
    for (uint32_t c = 0; c < nf; c++) {
        for (uint32_t e = 0; e < n; e++) {
            uint8_t status = *p++;
            if (status == 2) { missing++; continue; }
            p += 8;
            if (status != 0) { missing++; continue; }
            p += fs_value_size(tags[c], dims[c], p, (size_t)(end - p));
        }
    }
    if (p != end) die("fs: reply of %zu bytes parsed to %zd", len, p - f);
    return missing;
}

/* Reads one reply frame synchronously (handshake and prepare). */
static size_t fs_read_frame(int fd, buf_t *in, size_t *start) {
    size_t n;
    while (!(n = fs_frame(in->p + *start, in->len - *start))) fill(fd, in, start);
    return n;
}

/* HELLO, then PREPARE --features; returns the list id and feature count. */
static uint32_t fs_handshake(int fd, buf_t *in, size_t *start, uint32_t *nfeatures) {
    buf_t out = {0};
    buf_t pl = {0};
    put(&pl, "FSWP", 4); put_u16(&pl, 1); put_u16(&pl, 1); put_str(&pl, "loadgen"); put_str(&pl, "");
    put_u32(&out, (uint32_t)pl.len); put_u16(&out, 1); put_u16(&out, 0); put_u32(&out, 1); put(&out, pl.p, pl.len);
    pl.len = 0;
    put_u8(&pl, 0);
    char *refs = strdup(opt.features), *save = NULL;
    uint32_t count = 0;
    for (char *r = strtok_r(refs, ",", &save); r; r = strtok_r(NULL, ",", &save)) count++;
    put_u32(&pl, count);
    strcpy(refs, opt.features);
    for (char *r = strtok_r(refs, ",", &save); r; r = strtok_r(NULL, ",", &save)) put_str(&pl, r);
    free(refs);
    put_u32(&pl, 0);
    put_u32(&out, (uint32_t)pl.len); put_u16(&out, 0x10); put_u16(&out, 0); put_u32(&out, 2); put(&out, pl.p, pl.len);
    send_all(fd, out.p, out.len);
    uint32_t list = 0;
    for (int i = 0; i < 2; i++) {
        size_t n = fs_read_frame(fd, in, start);
        const uint8_t *f = in->p + *start;
        if (get_u16(f + 6) & 2)
            die("fs: %s refused: code %u: %.*s", i ? "PREPARE" : "HELLO", get_u16(f + 12), (int)get_u16(f + 14), (const char *)f + 16);
        if (i == 1) {
            const uint8_t *p = f + 12;
            list = get_u32(p);
            p += 4;
            uint32_t keys = get_u32(p);
            p += 4;
            if (keys != 1) die("fs: the features need %u join keys; loadgen sends one int64", keys);
            p += 2 + get_u16(p); /* name */
            if (*p++ != 3) die("fs: the join key is not int64");
            *nfeatures = get_u32(p);
        }
        *start += n;
    }
    free(out.p); free(pl.p);
    return list;
}

/* ---------------------------------------------------------------- RESP */

/* One HMGET reply (an array of bulk strings) at p? Its size, 0 if incomplete; counts nulls. */
static size_t resp_reply(const uint8_t *p, size_t n, uint64_t *missing) {
    const uint8_t *q = p, *end = p + n;
    const uint8_t *nl = memchr(q, '\n', (size_t)(end - q));
    if (!nl) return 0;
    if (*q == '-') die("redis: %.*s", (int)(nl - q - 1), (const char *)q);
    if (*q != '*') die("redis: unexpected reply type '%c'", *q);
    long items = strtol((const char *)q + 1, NULL, 10);
    q = nl + 1;
    uint64_t nulls = 0;
    for (long i = 0; i < items; i++) {
        if (q >= end) return 0;
        nl = memchr(q, '\n', (size_t)(end - q));
        if (!nl) return 0;
        if (*q != '$') die("redis: unexpected element type '%c'", *q);
        long len = strtol((const char *)q + 1, NULL, 10);
        q = nl + 1;
        if (len < 0) { nulls++; continue; }
        if ((size_t)(end - q) < (size_t)len + 2) return 0;
        q += len + 2;
    }
    *missing += nulls;
    return (size_t)(q - p);
}

/* ---------------------------------------------------------------- PREDICT (open loop) */

/* HELLO only (PREDICT needs no prepared list). */
static void fs_hello(int fd, buf_t *in, size_t *start) {
    buf_t out = {0}, pl = {0};
    put(&pl, "FSWP", 4); put_u16(&pl, 1); put_u16(&pl, 1); put_str(&pl, "loadgen"); put_str(&pl, "");
    put_u32(&out, (uint32_t)pl.len); put_u16(&out, 1); put_u16(&out, 0); put_u32(&out, 1); put(&out, pl.p, pl.len);
    send_all(fd, out.p, out.len);
    size_t n = fs_read_frame(fd, in, start);
    const uint8_t *f = in->p + *start;
    if (get_u16(f + 6) & 2) die("fs: HELLO refused: code %u: %.*s", get_u16(f + 12), (int)get_u16(f + 14), (const char *)f + 16);
    *start += n;
    free(out.p); free(pl.p);
}

/* Walks a PREDICT reply; returns entities not COMPLETE. */
static uint64_t fs_parse_predict(const uint8_t *f, size_t len, uint32_t entities) {
    const uint8_t *p = f + 12, *end = f + len;
    if (get_u16(f + 6) & 2) die("fs: PREDICT error reply %u: %.*s", get_u16(p), (int)get_u16(p + 2), (const char *)p + 4);
    p += 2 + get_u16(p);                                     /* model */
    uint32_t outputs = get_u32(p); p += 4;
    for (uint32_t i = 0; i < outputs; i++) p += 2 + get_u16(p);
    uint32_t versions = get_u32(p); p += 4;
    for (uint32_t v = 0; v < versions; v++) {
        p += 4;
        uint32_t inputs = get_u32(p); p += 4;
        for (uint32_t i = 0; i < inputs; i++) p += 2 + get_u16(p);
    }
    if (*p++ != 0) die("fs: PREDICT reply with inputs (not asked for)");
    uint32_t n = get_u32(p); p += 4;
    if (n != entities) die("fs: %u predictions in a reply to %u entities", n, entities);
    uint64_t missing = 0;
    for (uint32_t e = 0; e < n; e++) {
        if (*p != 0) missing++;
        p += 1 + 4 + 8 * (size_t)outputs;
    }
    if (p != end) die("fs: PREDICT reply of %zu bytes parsed to %zd", len, p - f);
    return missing;
}

static void add_predict(uint64_t (*key)(void *), void *w, buf_t *out) {
    size_t at = out->len;
    put_u32(out, 0); put_u16(out, 0x20); put_u16(out, 0); put_u32(out, 0);
    put_str(out, predict_opt.model); put_u8(out, 0); put_u64(out, 0x8000000000000000ull);
    put_u32(out, 1); put_str(out, predict_opt.key);
    put_u32(out, (uint32_t)opt.batch);
    for (int i = 0; i < opt.batch; i++) { put_u8(out, 3); put_u64(out, key(w)); }
    put_u32(out, 0);
    uint32_t len = (uint32_t)(out->len - at - 12);
    uint8_t v[4] = {len >> 24, len >> 16, len >> 8, len};
    memcpy(out->p + at, v, 4);
}

/* ---------------------------------------------------------------- workers */

typedef struct {
    int id;
    uint64_t rng;
    uint64_t *lat;      /* measured latencies, ns */
    uint64_t *sched_lat; /* predict mode: from the scheduled send time, ns */
    size_t nlat, caplat;
    uint64_t requests, missing;
    uint32_t list, nfeatures;
} worker_t;

static volatile uint64_t measure_from, stop_at;

static uint64_t next_key(worker_t *w) {
    /* xorshift64* */
    w->rng ^= w->rng >> 12; w->rng ^= w->rng << 25; w->rng ^= w->rng >> 27;
    return (w->rng * 2685821657736338717ull) % opt.keys + 1;
}

static char **field_list;
static int nfields;

static void add_request(worker_t *w, buf_t *out) {
    if (opt.proto == FS) {
        size_t at = out->len;
        put_u32(out, 0); put_u16(out, 0x11); put_u16(out, 0); put_u32(out, 0);
        put_u8(out, 0); put_u32(out, w->list); put_u64(out, 0x8000000000000000ull);
        put_u32(out, (uint32_t)opt.batch); put_u32(out, 1);
        for (int i = 0; i < opt.batch; i++) { put_u8(out, 3); put_u64(out, next_key(w)); }
        uint32_t len = (uint32_t)(out->len - at - 12);
        uint8_t v[4] = {len >> 24, len >> 16, len >> 8, len};
        memcpy(out->p + at, v, 4);
    } else {
        char key[64], head[64];
        for (int i = 0; i < opt.batch; i++) {
            int kl = snprintf(key, sizeof key, "%s%llu", opt.prefix, (unsigned long long)next_key(w));
            int hl = snprintf(head, sizeof head, "*%d\r\n$5\r\nHMGET\r\n$%d\r\n", 2 + nfields, kl);
            put(out, head, (size_t)hl);
            put(out, key, (size_t)kl);
            put(out, "\r\n", 2);
            for (int f = 0; f < nfields; f++) {
                hl = snprintf(head, sizeof head, "$%zu\r\n", strlen(field_list[f]));
                put(out, head, (size_t)hl);
                put(out, field_list[f], strlen(field_list[f]));
                put(out, "\r\n", 2);
            }
        }
    }
}

static void *run_worker(void *arg) {
    worker_t *w = arg;
    int fd = dial();
    buf_t in = {0}, out = {0};
    size_t start = 0;
    if (opt.proto == FS) w->list = fs_handshake(fd, &in, &start, &w->nfeatures);
    else w->nfeatures = (uint32_t)nfields;
    uint64_t *sent = calloc((size_t)opt.depth, sizeof *sent);
    int head = 0, inflight = 0, subs = 0; /* subs: redis replies of the current request */
    uint64_t t = now_ns();
    for (; inflight < opt.depth; inflight++) { add_request(w, &out); sent[(head + inflight) % opt.depth] = t; }
    send_all(fd, out.p, out.len);
    out.len = 0;
    int stopping = 0;
    while (inflight > 0) {
        fill(fd, &in, &start);
        int done = 0;
        for (;;) {
            size_t n;
            if (opt.proto == FS) {
                n = fs_frame(in.p + start, in.len - start);
                if (!n) break;
                w->missing += fs_parse_reply(in.p + start, n, (uint32_t)opt.batch);
            } else {
                n = resp_reply(in.p + start, in.len - start, &w->missing);
                if (!n) break;
                if (++subs < opt.batch) { start += n; continue; }
                subs = 0;
            }
            start += n;
            uint64_t now = now_ns();
            if (sent[head] >= measure_from && now < stop_at) {
                if (w->nlat == w->caplat) {
                    w->caplat = w->caplat ? w->caplat * 2 : 1 << 16;
                    w->lat = realloc(w->lat, w->caplat * sizeof *w->lat);
                    if (!w->lat) die("out of memory");
                }
                w->lat[w->nlat++] = now - sent[head];
                w->requests++;
            }
            head = (head + 1) % opt.depth;
            inflight--;
            done++;
        }
        if (!stopping && now_ns() >= stop_at) stopping = 1;
        if (stopping || !done) continue;
        t = now_ns();
        for (int i = 0; i < done; i++) { add_request(w, &out); sent[(head + inflight) % opt.depth] = t; inflight++; }
        send_all(fd, out.p, out.len);
        out.len = 0;
    }
    close(fd);
    free(in.p); free(out.p); free(sent);
    return NULL;
}

/* Open loop: the sender writes request i at start + i / rate (its scheduled
 * time, kept in a ring); the reader matches replies in order. */
#define RING (1u << 20)
typedef struct {
    worker_t *w;
    int fd;
    uint64_t *sched;           /* scheduled send time of request i, at i % RING */
    uint64_t *sent_at;         /* actual send time of request i */
    volatile uint64_t sent;    /* requests written */
    volatile uint64_t received; /* replies read */
    volatile int done_sending;
} open_loop_t;

static uint64_t key_of(void *w) { return next_key(w); }

/* One sender thread for all connections: request i is due at t0 + i / rate
 * and goes to connection i % C. By default it sleeps to each due time on an
 * absolute timer (timer slack 1 ns) and sends whatever is due when it wakes;
 * `--sender spin` busy-waits the last 200 µs instead. At 10k req/s the due
 * times are 100 µs apart, so a spinning sender holds one of a 2-vCPU guest's
 * cores all the time, and the server, the readers and the kernel's network
 * work queue for the other: that tripled p99 for Redis and for us alike
 * (docs/benchmarks.md §6b, session 5). A late wake-up shows in sched_*. */
static open_loop_t **open_conns;
static volatile int open_ready, open_finished;

static void *open_loop_sender(void *arg) {
    (void)arg;
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);  /* wake at the due time, not up to 50 µs after */
    while (__atomic_load_n(&open_ready, __ATOMIC_ACQUIRE) < opt.conns) { struct timespec ts = {0, 1000000}; nanosleep(&ts, NULL); }
    double interval = 1e9 / predict_opt.rate;
    uint64_t t0 = now_ns();
    buf_t out = {0};
    for (uint64_t i = 0;; i++) {
        uint64_t due = t0 + (uint64_t)(i * interval);
        if (due >= stop_at) break;
        if (predict_opt.spin) {
            uint64_t now;
            while ((now = now_ns()) < due) {
                uint64_t left = due - now;
                if (left > 300000) { struct timespec ts = {0, (long)(left - 200000)}; nanosleep(&ts, NULL); }
            }
        } else if (now_ns() < due) {
            /* Sleep to the due time on an absolute timer; a late wake-up sends
             * every request already due at once (their lateness shows in sched_*). */
            struct timespec ts = {(time_t)(due / 1000000000u), (long)(due % 1000000000u)};
            while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
        }
        open_loop_t *o = open_conns[i % (uint64_t)opt.conns];
        uint64_t k = o->sent;
        if (k - __atomic_load_n(&o->received, __ATOMIC_ACQUIRE) >= RING - 1) die("more than %u requests unanswered", RING - 1);
        out.len = 0;
        if (predict_opt.on) add_predict(key_of, o->w, &out);
        else add_request(o->w, &out);
        o->sched[k % RING] = due;
        o->sent_at[k % RING] = now_ns();
        __atomic_store_n(&o->sent, k + 1, __ATOMIC_RELEASE);
        send_all(o->fd, out.p, out.len);
    }
    for (int c = 0; c < opt.conns; c++) __atomic_store_n(&open_conns[c]->done_sending, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&open_finished, 1, __ATOMIC_RELEASE);
    free(out.p);
    return NULL;
}

/* The bytes of one whole reply (all B replies for redis) at p, or 0 if not all there yet; counts missing values. */
static size_t open_loop_reply(worker_t *w, const uint8_t *p, size_t n) {
    if (opt.proto == FS) {
        size_t len = fs_frame(p, n);
        if (len) w->missing += predict_opt.on ? fs_parse_predict(p, len, (uint32_t)opt.batch)
                                              : fs_parse_reply(p, len, (uint32_t)opt.batch);
        return len;
    }
    size_t at = 0;
    uint64_t missing = 0;
    for (int i = 0; i < opt.batch; i++) {
        size_t len = resp_reply(p + at, n - at, &missing);
        if (!len) return 0;
        at += len;
    }
    w->missing += missing;
    return at;
}

static void *run_open_loop_worker(void *arg) {
    worker_t *w = arg;
    open_loop_t o = {.w = w, .fd = dial(), .sched = calloc(RING, sizeof(uint64_t)), .sent_at = calloc(RING, sizeof(uint64_t))};
    buf_t in = {0};
    size_t start = 0;
    if (predict_opt.on) { fs_hello(o.fd, &in, &start); w->nfeatures = 0; }
    else if (opt.proto == FS) w->list = fs_handshake(o.fd, &in, &start, &w->nfeatures);
    else w->nfeatures = (uint32_t)nfields;
    open_conns[w->id] = &o;
    __atomic_add_fetch(&open_ready, 1, __ATOMIC_ACQ_REL);
    uint64_t received = 0;
    for (;;) {
        uint64_t sent = __atomic_load_n(&o.sent, __ATOMIC_ACQUIRE);
        if (received == sent && __atomic_load_n(&o.done_sending, __ATOMIC_ACQUIRE)
            && received == __atomic_load_n(&o.sent, __ATOMIC_ACQUIRE)) break;
        size_t n;
        while (!(n = open_loop_reply(w, in.p + start, in.len - start))) {
            if (received == __atomic_load_n(&o.sent, __ATOMIC_ACQUIRE) && __atomic_load_n(&o.done_sending, __ATOMIC_ACQUIRE)) goto out;
            /* Wait for bytes at most 20 ms, then look again: the sender may have finished meanwhile. */
            struct pollfd pfd = {.fd = o.fd, .events = POLLIN};
            if (poll(&pfd, 1, 20) > 0) fill(o.fd, &in, &start);
        }
        uint64_t now = now_ns();
        start += n;
        uint64_t due = o.sched[received % RING], sent_at = o.sent_at[received % RING];
        received++;
        __atomic_store_n(&o.received, received, __ATOMIC_RELEASE);
        if (due >= measure_from && due < stop_at) {
            if (w->nlat == w->caplat) {
                w->caplat = w->caplat ? w->caplat * 2 : 1 << 16;
                w->lat = realloc(w->lat, w->caplat * sizeof *w->lat);
                w->sched_lat = realloc(w->sched_lat, w->caplat * sizeof *w->sched_lat);
                if (!w->lat || !w->sched_lat) die("out of memory");
            }
            w->sched_lat[w->nlat] = now - due;
            w->lat[w->nlat++] = now - sent_at;
            w->requests++;
        }
    }
out:
    while (__atomic_load_n(&open_ready, __ATOMIC_ACQUIRE) >= 0 && !__atomic_load_n(&open_finished, __ATOMIC_ACQUIRE)) {
        struct timespec ts = {0, 1000000}; nanosleep(&ts, NULL);  /* the sender still reads this connection's rings */
    }
    close(o.fd);
    free(in.p); free(o.sched); free(o.sent_at);
    return NULL;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void usage(void) {
    fprintf(stderr, "usage: loadgen --proto fs|redis [--host H] [--port P] [--conns C] [--depth D] [--batch B]\n"
                    "               [--keys K] [--seconds S] [--warmup S] [--seed N] [--features REFS]\n"
                    "               [--prefix user:] [--fields f0,..,f9] [--label TEXT]\n"
                    "       loadgen --proto fs --mode predict [--model REF] [--key user_id] [--rate R] [--sender sleep|spin] ... (open loop)\n"
                    "       loadgen --proto fs|redis --rate R ... (lookups, open loop)\n");
    exit(2);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--proto")) opt.proto = !strcmp(v, "redis") ? REDIS : !strcmp(v, "fs") ? FS : (usage(), FS);
        else if (!strcmp(a, "--host")) opt.host = v;
        else if (!strcmp(a, "--port")) opt.port = v;
        else if (!strcmp(a, "--conns")) opt.conns = atoi(v);
        else if (!strcmp(a, "--depth")) opt.depth = atoi(v);
        else if (!strcmp(a, "--batch")) opt.batch = atoi(v);
        else if (!strcmp(a, "--keys")) opt.keys = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--seconds")) opt.seconds = atof(v);
        else if (!strcmp(a, "--warmup")) opt.warmup = atof(v);
        else if (!strcmp(a, "--seed")) opt.seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--features")) opt.features = v;
        else if (!strcmp(a, "--prefix")) opt.prefix = v;
        else if (!strcmp(a, "--fields")) opt.fields = v;
        else if (!strcmp(a, "--label")) opt.label = v;
        else if (!strcmp(a, "--mode")) predict_opt.on = !strcmp(v, "predict") ? 1 : !strcmp(v, "lookup") ? 0 : (usage(), 0);
        else if (!strcmp(a, "--model")) predict_opt.model = v;
        else if (!strcmp(a, "--key")) predict_opt.key = v;
        else if (!strcmp(a, "--sender")) predict_opt.spin = !strcmp(v, "spin") ? 1 : !strcmp(v, "sleep") ? 0 : (usage(), 0);
        else if (!strcmp(a, "--rate")) { predict_opt.rate = atof(v); predict_opt.open = 1; }
        else usage();
    }
    if (!opt.port) opt.port = opt.proto == FS ? "6570" : "6379";
    if (opt.conns < 1 || opt.depth < 1 || opt.batch < 1 || opt.keys < 1 || opt.seconds <= 0) usage();
    if (predict_opt.on) predict_opt.open = 1;
    if ((predict_opt.on && opt.proto != FS) || (predict_opt.open && predict_opt.rate <= 0)) usage();
    char *fields = strdup(opt.fields), *save = NULL;
    field_list = calloc(256, sizeof *field_list);
    for (char *f = strtok_r(fields, ",", &save); f && nfields < 256; f = strtok_r(NULL, ",", &save)) field_list[nfields++] = f;

    worker_t *ws = calloc((size_t)opt.conns, sizeof *ws);
    pthread_t *th = calloc((size_t)opt.conns, sizeof *th);
    uint64_t t0 = now_ns();
    measure_from = t0 + (uint64_t)(opt.warmup * 1e9);
    stop_at = measure_from + (uint64_t)(opt.seconds * 1e9);
    pthread_t sender;
    if (predict_opt.open) {
        open_conns = calloc((size_t)opt.conns, sizeof *open_conns);
        pthread_create(&sender, NULL, open_loop_sender, NULL);
    }
    for (int i = 0; i < opt.conns; i++) {
        ws[i].id = i;
        ws[i].rng = (opt.seed + 1) * 0x9E3779B97F4A7C15ull ^ (uint64_t)(i + 1) * 0xD1B54A32D192ED03ull;
        if (!ws[i].rng) ws[i].rng = 1;
        pthread_create(&th[i], NULL, predict_opt.open ? run_open_loop_worker : run_worker, &ws[i]);
    }
    size_t total = 0;
    uint64_t requests = 0, missing = 0;
    for (int i = 0; i < opt.conns; i++) {
        pthread_join(th[i], NULL);
        total += ws[i].nlat;
        requests += ws[i].requests;
        missing += ws[i].missing;
    }
    if (predict_opt.open) pthread_join(sender, NULL);
    uint64_t *all = malloc((total ? total : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < opt.conns; i++) { memcpy(all + k, ws[i].lat, ws[i].nlat * sizeof *all); k += ws[i].nlat; }
    qsort(all, total, sizeof *all, cmp_u64);
#define PCT(p) (total ? all[(size_t)((double)(total - 1) * (p))] / 1000.0 : 0)
    if (predict_opt.open) {
        uint64_t *sched = malloc((total ? total : 1) * sizeof *sched);
        size_t j = 0;
        for (int i = 0; i < opt.conns; i++) { memcpy(sched + j, ws[i].sched_lat, ws[i].nlat * sizeof *sched); j += ws[i].nlat; }
        qsort(sched, total, sizeof *sched, cmp_u64);
#define SPCT(p) (total ? sched[(size_t)((double)(total - 1) * (p))] / 1000.0 : 0)
        printf("{\"mode\":\"%s\",\"model\":\"%s\",\"rate\":%.0f,\"offered\":%llu,"
               "\"sched_p50_us\":%.1f,\"sched_p99_us\":%.1f,\"sched_p999_us\":%.1f,", predict_opt.on ? "predict" : "lookup-open",
               predict_opt.on ? predict_opt.model : "", predict_opt.rate,
               (unsigned long long)(predict_opt.rate * opt.seconds), SPCT(0.5), SPCT(0.99), SPCT(0.999));
        free(sched);
    } else
        printf("{");
    printf("\"target\":\"%s\",\"label\":\"%s\",\"conns\":%d,\"depth\":%d,\"batch\":%d,\"keys\":%llu,\"seconds\":%.1f,"
           "\"requests\":%llu,\"requests_per_s\":%.0f,\"lookups_per_s\":%.0f,"
           "\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,\"features\":%u,\"missing_values\":%llu}\n",
           opt.proto == FS ? "fsctl" : "redis", opt.label, opt.conns, opt.depth, opt.batch, (unsigned long long)opt.keys,
           opt.seconds, (unsigned long long)requests, requests / opt.seconds, requests * (double)opt.batch / opt.seconds,
           PCT(0.5), PCT(0.99), PCT(0.999), total ? all[total - 1] / 1000.0 : 0, ws[0].nfeatures, (unsigned long long)missing);
    return 0;
}
