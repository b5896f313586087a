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
        .library(name: "Monitoring", targets: ["Monitoring"]),
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
                "FeatureStore", "LMDB", "Tabular",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Drift detection with Evidently's methods and defaults (KS, chi-square, Z,
        // normed Wasserstein, Jensen–Shannon, PSI) over event-log windows.
        .target(name: "Monitoring", dependencies: ["FeatureStore", "Tabular"]),
        .executableTarget(
            name: "fsctl",
            dependencies: [
                "FeatureStore", "LMDB", "Tabular", "ModelRegistry", "Monitoring",
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
        // Parity with Evidently on the committed fixtures of Tests/Fixtures/drift.
        .testTarget(name: "MonitoringTests", dependencies: ["Monitoring"]),
        // End-to-end tests that run the built `fsctl` binary (the dependency makes
        // `swift test` build it first).
        .testTarget(name: "FsctlTests", dependencies: ["fsctl", "FeatureStore", "Tabular", "LMDB"]),
    ]
)
