// swift-tools-version:6.0
import PackageDescription

/// Sila: related articles for Arabic news sites.
/// The module layout follows DESIGN.md: one job per target, the CLI and the server as thin front ends over SilaCore.
let package = Package(
    name: "Sila",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sila", targets: ["sila"]),
        .library(name: "SilaCore", targets: ["SilaCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.24.0"),
    ],
    targets: [
        .target(name: "ArabicText", resources: [.copy("Resources")]),
        .target(name: "CPrefetch"),
        .target(name: "Vectorizer", dependencies: ["ArabicText", "CPrefetch"]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(name: "Similarity", dependencies: ["Vectorizer", "CBLAS", "CPrefetch"]),
        .target(name: "Store", dependencies: ["Vectorizer", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "SilaCore",
            dependencies: ["ArabicText", "Vectorizer", "Similarity", "Store"]
        ),
        .target(
            name: "SilaServer",
            dependencies: [
                "SilaCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "sila",
            dependencies: [
                "SilaCore", "SilaServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "SilaBench",
            dependencies: ["SilaCore"],
            path: "Benchmarks/SilaBench"
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ArabicTextTests", dependencies: ["ArabicText", "TestSupport"]),
        .testTarget(name: "VectorizerTests", dependencies: ["Vectorizer", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SimilarityTests", dependencies: ["Similarity", "TestSupport"]),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "SilaCoreTests", dependencies: ["SilaCore", "TestSupport"]),
        .testTarget(name: "SilaServerTests", dependencies: ["SilaServer", "SilaCore", "TestSupport"]),
        .testTarget(name: "SilaCLITests", dependencies: ["SilaCore", "TestSupport"]),
        .testTarget(name: "ReliabilityTests", dependencies: ["SilaCore", "Store", "ArabicText", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
    ]
)
