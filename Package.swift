// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Moderato",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "moderatod", targets: ["moderatod"]),
        .executable(name: "modctl", targets: ["modctl"]),
        .library(name: "Moderation", targets: ["Moderation"]),
        .library(name: "ModerationStore", targets: ["ModerationStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // PCRE2 from the system (libpcre2-dev), seen by Swift only through the PCRE2 wrapper.
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        .target(name: "PCRE2", dependencies: ["CPCRE2"]),
        .target(
            name: "Moderation",
            dependencies: [
                "PCRE2",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "ModerationStore",
            dependencies: [
                "Moderation",
                "ModeratoReports",
                "PCRE2",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The one judging layer: how a pipeline is made and swapped, comments judged with their history,
        // and decisions turned into what the store records.
        .target(
            name: "Judging",
            dependencies: ["Moderation", "ModerationStore", "PCRE2", .product(name: "Logging", package: "swift-log")]
        ),
        // The browser review queue at /ui/: moderators' accounts and sessions, and server-rendered pages.
        .target(
            name: "ModeratoWeb",
            dependencies: [
                "Moderation",
                "ModerationStore",
                "Judging",
                "ModeratoReports",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .target(
            name: "ModeratoServer",
            dependencies: [
                "Moderation",
                "ModerationStore",
                "Judging",
                "ModeratoWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Offline tools over the pipeline: labelled CSV input, benchmark, evaluation.
        .target(
            name: "ModeratoTools",
            dependencies: [
                "Moderation",
                "ModerationStore",
                "Judging",
                "PCRE2",
                .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
        // The digest model and its text, Markdown, HTML and JSON renderers (the store fills the model).
        .target(
            name: "ModeratoReports",
            dependencies: ["Moderation"]
        ),
        .executableTarget(
            name: "moderatod",
            dependencies: [
                "ModeratoServer",
                "ModerationStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "modctl",
            dependencies: [
                "Moderation",
                "ModerationStore",
                "ModeratoTools",
                "ModeratoReports",
                "ModeratoWeb",
                "Judging",
                "PCRE2",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Fixtures, temporary databases and a harness that runs the built binaries.
        .target(
            name: "ModeratoTestSupport",
            dependencies: [
                "Moderation", "ModerationStore", "ModeratoTools", "Judging",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/ModeratoTestSupport"
        ),
        .testTarget(name: "PCRE2Tests", dependencies: ["PCRE2"]),
        .testTarget(name: "ModerationTests", dependencies: ["Moderation", "PCRE2", "ModeratoTools", "ModeratoTestSupport"]),
        .testTarget(
            name: "ModerationStoreTests",
            dependencies: ["ModerationStore", "Judging", "ModeratoTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["ModeratoTestSupport", "ModerationStore", "Judging", "Moderation", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["akismet_client.py", "openapi_check.py", "browser_check.py"]
        ),
        .testTarget(
            name: "ModeratoServerTests",
            dependencies: ["ModeratoServer", "Judging", "ModeratoTestSupport", "ModerationStore", "Moderation", "PCRE2",
                           .product(name: "Logging", package: "swift-log"), .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(name: "ModeratoReportsTests", dependencies: ["ModeratoReports", "ModeratoTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
