// swift-tools-version: 6.1
// The point-in-time benchmark's Swift side: a throwaway package that links the
// root package's library (not `fsctl`, whose `export` command is written
// elsewhere). Built with `swift build -c release` by tools/pit_bench/run.sh.
import PackageDescription

let package = Package(
    name: "PitBench",
    platforms: [.macOS(.v14)],
    dependencies: [
        // `name:` keeps the identity FeatureStore whatever the checkout's directory is called.
        .package(name: "FeatureStore", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "pitbench",
            dependencies: [
                .product(name: "FeatureStore", package: "FeatureStore"),
                .product(name: "Tabular", package: "FeatureStore"),
            ],
            path: "Sources/pitbench",
            swiftSettings: [.swiftLanguageMode(.v5)]   // a command-line tool: globals without ceremony
        ),
    ]
)
