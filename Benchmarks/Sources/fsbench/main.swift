// fsbench: builds the benchmark store through the library and times lookups
// the way tools/lmdb_get_bench.c does. All work is in BenchSupport functions
// (hot loops in top-level code pay MainActor checks).
import BenchSupport
import Foundation

exit(FSBench.main(Array(CommandLine.arguments.dropFirst())))
