// modelbench: scores the models of tools/model_bench (bench.py models DIR)
// with ModelFormats, single-row latency and batch throughput, one JSON line
// per measurement (the same shape as bench.py's). All work is in ModelBench.swift
// (hot loops in top-level code pay MainActor checks).
import Foundation

exit(ModelBench.main(Array(CommandLine.arguments.dropFirst())))
