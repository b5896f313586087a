#!/usr/bin/env bash
# Builds a throwaway LMDB environment shaped like a store's online table, for
# tools/lmdb_get_bench.c when no real store is at hand: a database `online`
# with N keys of 13 bytes (format byte, 4-byte table id, sign-flipped
# big-endian int64 entity key) and values of VALUE_BYTES (default 120, about
# one online row of 10 features). Uses mdb_load from lmdb-utils, no Python.
#
# Usage: tools/make_lmdb_fixture.sh DIR [N=1000000] [VALUE_BYTES=120]
set -euo pipefail
dir=${1:?usage: make_lmdb_fixture.sh DIR [N] [VALUE_BYTES]}
n=${2:-1000000}
vbytes=${3:-120}
command -v mdb_load >/dev/null || { echo "make_lmdb_fixture: mdb_load not found (apt-get install lmdb-utils)" >&2; exit 1; }
# Built beside the target and renamed at the end, so an interrupted run never
# leaves a half-loaded environment that looks finished.
tmp="$dir.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$dir" "$tmp"
mkdir -p "$tmp"
# Map size: generous for the data plus B-tree overhead.
mapsize=$(( (n * (vbytes + 13 + 16) * 2 / 4096 + 1024) * 4096 ))
awk -v n="$n" -v vbytes="$vbytes" -v mapsize="$mapsize" 'BEGIN {
    srand(42)
    print "VERSION=3"; print "format=bytevalue"; print "type=btree"
    print "mapsize=" mapsize; print "maxreaders=126"
    print "HEADER=END"
    # A pool of random value tails; each value starts with its own 4 bytes.
    for (p = 0; p < 1024; p++) {
        s = ""
        for (b = 4; b < vbytes; b++) s = s sprintf("%02x", int(rand() * 256))
        pool[p] = s
    }
    # Keys in ascending order: 01 | table id 7 | user_id + 2^63 (big-endian).
    for (i = 1; i <= n; i++) {
        printf " 010000000780000000%08x\n %08x%s\n", i, i, pool[(i * 7919) % 1024]
    }
    print "DATA=END"
}' | mdb_load -s online "$tmp"
mv "$tmp" "$dir"
echo "make_lmdb_fixture: $dir: $n keys of 13 bytes, values of $vbytes bytes" >&2
