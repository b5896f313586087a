// swift-tools-version: 6.1
import PackageDescription

// Release builds of the server's per-request code skip the runtime exclusivity
// checks (swift_beginAccess on every class-property and ByteBuffer access: ~19 %
// of a single lookup's instructions under callgrind). Debug builds and tests keep
// them. Why this is safe here: docs/architecture.md, "Exclusivity checks".
//
// Opt-in through the environment (`FEATURESTORE_UNCHECKED_EXCLUSIVITY=1 swift build
// -c release`; `make release` and the server benchmarks set it): SwiftPM refuses
// `unsafeFlags` in a package fetched as a dependency by URL, so by default the
// manifest carries none and the library links into any package.
let uncheckedExclusivityInRelease: [SwiftSetting] =
    Context.environment["FEATURESTORE_UNCHECKED_EXCLUSIVITY"] == "1"
        ? [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        : []

let package = Package(
    name: "FeatureStore",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "LMDB", targets: ["LMDB"]),
        .library(name: "Tabular", targets: ["Tabular"]),
        .library(name: "FeatureStore", targets: ["FeatureStore"]),
        .library(name: "ModelFormats", targets: ["ModelFormats"]),
        .library(name: "ModelRegistry", targets: ["ModelRegistry"]),
        .library(name: "WireProtocol", targets: ["WireProtocol"]),
        .library(name: "FeatureServer", targets: ["FeatureServer"]),
        .library(name: "FeatureClient", targets: ["FeatureClient"]),
        .library(name: "Inference", targets: ["Inference"]),
        .library(name: "Monitoring", targets: ["Monitoring"]),
        .executable(name: "fsctl", targets: ["fsctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
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
        // Frames, messages and error codes of the binary protocol (docs/wire-protocol.md);
        // shared by the server and the clients. No sockets: NIOCore only.
        .target(name: "WireProtocol", dependencies: [.product(name: "NIOCore", package: "swift-nio")],
                swiftSettings: uncheckedExclusivityInRelease),
        // `fsctl serve`: the NIO server, auth, limits, the HTTP port, drain on SIGTERM.
        .target(
            name: "FeatureServer",
            dependencies: [
                "FeatureStore", "LMDB", "Tabular", "WireProtocol", "Inference", "ModelRegistry",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: uncheckedExclusivityInRelease),
        // The async Swift client: one connection, pipelined requests matched by id.
        .target(
            name: "FeatureClient",
            dependencies: [
                "WireProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        // Scoring with features from the store: a model ref resolved to loaded
        // versions, online (or point-in-time) feature vectors, canary routing,
        // the prediction log.
        .target(name: "Inference", dependencies: ["FeatureStore", "ModelRegistry", "ModelFormats", "Tabular"]),
        // Drift detection with Evidently's methods and defaults (KS, chi-square, Z,
        // normed Wasserstein, Jensen–Shannon, PSI) over event-log windows.
        .target(name: "Monitoring", dependencies: ["FeatureStore", "Tabular"]),
        .executableTarget(
            name: "fsctl",
            dependencies: [
                "FeatureStore", "LMDB", "Tabular", "ModelRegistry", "Inference", "Monitoring", "FeatureServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // CLMDB only for the multi-process tests: a forked child must run plain C
        // (no Swift runtime after fork), acting as "another process" on the env.
        // The seeded generator the test targets share (not a product).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB", "CLMDB", "TestSupport"]),
        .testTarget(name: "TabularTests", dependencies: ["Tabular", "TestSupport"]),
        .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats", "TestSupport"]),
        .testTarget(name: "FeatureStoreTests", dependencies: ["FeatureStore", "LMDB", "Tabular", "TestSupport"]),
        // Fixtures (Tests/Fixtures/registry) are found through #filePath.
        .testTarget(name: "ModelRegistryTests", dependencies: [
            "ModelRegistry", "FeatureStore", "LMDB", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "InferenceTests", dependencies: [
            "Inference", "ModelRegistry", "ModelFormats", "FeatureStore", "Tabular",
        ]),
        // Parity with Evidently on the committed fixtures of Tests/Fixtures/drift.
        .testTarget(name: "MonitoringTests", dependencies: ["Monitoring"]),
        // End-to-end tests that run the built `fsctl` binary (the dependency makes
        // `swift test` build it first).
        .testTarget(name: "FsctlTests", dependencies: [
            "fsctl", "FeatureStore", "Tabular", "LMDB", "ModelFormats", "WireProtocol",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .testTarget(name: "WireProtocolTests", dependencies: [
            "WireProtocol", "TestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "FeatureServerTests", dependencies: [
            "FeatureServer", "WireProtocol", "FeatureStore", "Tabular",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        // The Swift client against an in-process FeatureServer on a temporary store.
        .testTarget(name: "FeatureClientTests", dependencies: [
            "FeatureClient", "FeatureServer", "FeatureStore", "Tabular", "WireProtocol", "Inference", "ModelRegistry",
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
    ]
)

