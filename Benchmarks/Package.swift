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
