// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "FeatureStore",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "LMDB", targets: ["LMDB"]),
        .library(name: "Tabular", targets: ["Tabular"]),
        .library(name: "FeatureStore", targets: ["FeatureStore"]),
        .library(name: "ModelFormats", targets: ["ModelFormats"]),
        .library(name: "ModelRegistry", targets: ["ModelRegistry"]),
        .library(name: "Inference", targets: ["Inference"]),
        .executable(name: "fsctl", targets: ["fsctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // Debian's liblmdb-dev, exposed to Swift. Only `LMDB` imports it.
        .systemLibrary(
            name: "CLMDB", path: "Sources/CLMDB", pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]),
        // The safe wrapper: environments, transactions in closures, cursors, LMDBError.
        .target(name: "LMDB", dependencies: ["CLMDB"]),
        // Debian's compression libraries for Parquet pages. Only Tabular's
        // Parquet/ParquetCompression.swift imports them.
        .systemLibrary(
            name: "CSnappy", path: "Sources/CSnappy", pkgConfig: "snappy",
            providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(
            name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        // Columnar record batches and streaming CSV / JSONL / Parquet readers and writers.
        .target(name: "Tabular", dependencies: ["CSnappy", "CZstd", "CZlib"]),
        // The store: catalog, ingest, event log, online table, materialization.
        .target(
            name: "FeatureStore",
            dependencies: [
                "LMDB", "Tabular",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Model files (XGBoost JSON, LightGBM text, linear-json, ONNX) parsed into
        // flat scorers; standard library only, no store or registry knowledge.
        .target(name: "ModelFormats"),
        // Models, versions, content-addressed artifacts, aliases with history, quality gates.
        .target(
            name: "ModelRegistry",
            dependencies: [
                "FeatureStore", "LMDB", "Tabular", "ModelFormats",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Scoring with features from the store: a model ref resolved to loaded
        // versions, online (or point-in-time) feature vectors, canary routing,
        // the prediction log.
        .target(name: "Inference", dependencies: ["FeatureStore", "ModelRegistry", "ModelFormats", "Tabular"]),
        .executableTarget(
            name: "fsctl",
            dependencies: [
                "FeatureStore", "LMDB", "Tabular", "ModelRegistry", "Inference",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // CLMDB only for the multi-process tests: a forked child must run plain C
        // (no Swift runtime after fork), acting as "another process" on the env.
        .testTarget(name: "LMDBTests", dependencies: ["LMDB", "CLMDB"]),
        .testTarget(name: "TabularTests", dependencies: ["Tabular"]),
        .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats"]),
        .testTarget(name: "FeatureStoreTests", dependencies: ["FeatureStore", "LMDB", "Tabular"]),
        // Fixtures (Tests/Fixtures/registry) are found through #filePath.
        .testTarget(name: "ModelRegistryTests", dependencies: [
            "ModelRegistry", "FeatureStore", "LMDB", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "InferenceTests", dependencies: [
            "Inference", "ModelRegistry", "ModelFormats", "FeatureStore", "Tabular",
        ]),
        // End-to-end tests that run the built `fsctl` binary (the dependency makes
        // `swift test` build it first).
        .testTarget(name: "FsctlTests", dependencies: ["fsctl", "FeatureStore", "Tabular", "LMDB", "ModelFormats"]),
    ]
)
