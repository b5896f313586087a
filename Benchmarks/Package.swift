// swift-tools-version: 6.1
// The benchmarks live in their own package so that `swift build` and
// `swift test` of the root package never build the benchmark machinery.
// Run: `cd Benchmarks && swift package benchmark` (or `make bench`).
import PackageDescription

let package = Package(
    name: "FeatureStoreBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        // `name:` is required: without it a path dependency's identity is the
        // checkout's directory name (wt-infra, main, …), not FeatureStore.
        .package(name: "FeatureStore", path: ".."),
        // Explicit traits drop the default RuntimeInterposer trait, whose
        // package is not reachable here; malloc counts still work.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Builds the 1M-entity benchmark store through the library, and the
        // lookup loops shared by StoreBenchmarks and the fsbench driver.
        .target(
            name: "BenchSupport",
            dependencies: [
                .product(name: "FeatureStore", package: "FeatureStore"),
                .product(name: "LMDB", package: "FeatureStore"),
                .product(name: "Tabular", package: "FeatureStore"),
            ],
            path: "Sources/BenchSupport"
        ),
        // `fsbench build DIR` / `fsbench lookup DIR`: the store for
        // tools/bench_store.sh (no fsctl needed) and a plain driver for callgrind.
        .executableTarget(
            name: "fsbench",
            dependencies: ["BenchSupport"],
            path: "Sources/fsbench"
        ),
        // `modelbench DIR`: ModelFormats' single-row latency and batch throughput
        // on the models of tools/model_bench (run.sh puts Python's peers beside it).
        .executableTarget(
            name: "modelbench",
            dependencies: [.product(name: "ModelFormats", package: "FeatureStore")],
            path: "Sources/modelbench"
        ),
        // `scorebench MODEL.json [STORE]`: end-to-end Scorer latency (features
        // from the 1M-entity store + model) — tools/score_bench/run.sh.
        .executableTarget(
            name: "scorebench",
            dependencies: [
                "BenchSupport",
                .product(name: "Inference", package: "FeatureStore"),
                .product(name: "ModelRegistry", package: "FeatureStore"),
            ],
            path: "Sources/scorebench"
        ),
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "FeatureStore", package: "FeatureStore"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/StoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "InferenceBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "ModelFormats", package: "FeatureStore"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/InferenceBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "TabularBenchmarks",
            dependencies: [
                .product(name: "Tabular", package: "FeatureStore"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/TabularBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
