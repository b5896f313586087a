// Entry point only; the timed loops live in functions in Bench.swift (top-level
// code is MainActor-isolated and costs checks per iteration).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

exit(ParquetBench.main(Array(CommandLine.arguments.dropFirst())))
