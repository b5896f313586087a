// swift-tools-version: 6.1
// A small release executable for tools/parquet_bench/run.sh: times our
// ParquetReader and ParquetWriter on the files the script generates, next to
// pyarrow. Its own package so the root package and Benchmarks/ are untouched.
//   swift build -c release --package-path tools/parquet_bench
import PackageDescription

let package = Package(
    name: "ParquetBench",
    platforms: [.macOS(.v14)],
    dependencies: [
        // `name:` is required: without it a path dependency's identity is the
        // checkout's directory name, not FeatureStore.
        .package(name: "FeatureStore", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "ParquetBench",
            dependencies: [.product(name: "Tabular", package: "FeatureStore")],
            path: "Sources/ParquetBench"
        ),
    ]
)
