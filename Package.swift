// swift-tools-version: 6.2
import PackageDescription

// Package-wide language settings (as Hummingbird does): strict Swift 6 with the upcoming features
// that keep imports and existentials explicit.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "CrampCare",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "crampcare", targets: ["crampcare"]),
        .library(name: "CrampJSON", targets: ["CrampJSON"]),
        .library(name: "CrampKnowledge", targets: ["CrampKnowledge"]),
        .library(name: "CrampAssessment", targets: ["CrampAssessment"]),
        .library(name: "CrampJournal", targets: ["CrampJournal"]),
        .library(name: "CrampInsights", targets: ["CrampInsights"]),
        .library(name: "CrampStorage", targets: ["CrampStorage"]),
        .library(name: "CrampApplication", targets: ["CrampApplication"]),
        .library(name: "CrampServer", targets: ["CrampServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
    ],
    targets: [
        // A fast, dependency-free JSON reader and writer: the request/result contract and the
        // NDJSON stream need precise error paths and more speed than Foundation's coders give.
        .target(name: "CrampJSON", swiftSettings: swiftSettings),
        // The knowledge base: data in Knowledge/*.json, compiled into the binary by the plugin.
        .target(
            name: "CrampKnowledge",
            dependencies: ["CrampJSON"],
            swiftSettings: swiftSettings,
            plugins: ["EmbedKnowledge"]
        ),
        .target(
            name: "CrampAssessment",
            dependencies: ["CrampKnowledge", "CrampJSON"],
            swiftSettings: swiftSettings
        ),
        // The journal's domain: episodes, day logs, profile, assessment records, their validation
        // and codecs, and the JournalStore protocol. No SQL here.
        .target(
            name: "CrampJournal",
            dependencies: ["CrampAssessment", "CrampKnowledge", "CrampJSON"],
            swiftSettings: swiftSettings
        ),
        // Statistics over a person's journal: trends, trigger statistics, relief effectiveness,
        // see-a-doctor patterns and SVG charts. Pure functions: no I/O.
        .target(
            name: "CrampInsights",
            dependencies: ["CrampJournal", "CrampKnowledge", "CrampJSON"],
            swiftSettings: swiftSettings
        ),
        // One SQL implementation of JournalStore on two engines: SQLite (embedded) and PostgreSQL.
        .target(
            name: "CrampStorage",
            dependencies: [
                "CrampJournal", "CrampJSON",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The use cases, each once, under the terminal and the web app: log a cramp and check it,
        // keep an assessment, a relief session, the plan, export, import and erase; one clock in
        // the person's time zone and one record factory. Storage comes in as a JournalStore.
        .target(
            name: "CrampApplication",
            dependencies: ["CrampAssessment", "CrampKnowledge", "CrampJSON", "CrampJournal", "CrampInsights"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CrampServer",
            dependencies: [
                "CrampAssessment", "CrampKnowledge", "CrampJSON", "CrampJournal", "CrampStorage", "CrampInsights", "CrampApplication",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Web"],
            swiftSettings: swiftSettings,
            plugins: ["EmbedKnowledge"]
        ),
        .executableTarget(
            name: "crampcare",
            dependencies: [
                "CrampAssessment", "CrampKnowledge", "CrampJSON", "CrampJournal", "CrampStorage", "CrampServer", "CrampInsights",
                "CrampApplication",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "KnowledgeEmbedder", swiftSettings: swiftSettings),
        .plugin(
            name: "EmbedKnowledge",
            capability: .buildTool(),
            dependencies: ["KnowledgeEmbedder"]
        ),
        .testTarget(
            name: "CrampJSONTests",
            dependencies: ["CrampJSON"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CrampKnowledgeTests",
            dependencies: ["CrampKnowledge"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CrampJournalTests",
            dependencies: ["CrampJournal"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CrampInsightsTests",
            dependencies: ["CrampInsights", "CrampJournal", "CrampKnowledge", "CrampJSON"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CrampStorageTests",
            dependencies: ["CrampStorage", "CrampJournal", .product(name: "SQLKit", package: "sql-kit")],
            swiftSettings: swiftSettings
        ),
        // Test doubles shared by the test targets (a journal that fails on purpose).
        .target(
            name: "CrampTestSupport",
            dependencies: ["CrampJournal", "CrampStorage"],
            path: "Tests/CrampTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CrampApplicationTests",
            dependencies: ["CrampApplication", "CrampStorage", "CrampJournal", "CrampAssessment", "CrampKnowledge", "CrampTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CrampServerTests",
            dependencies: [
                "CrampServer", "CrampStorage", "CrampJournal", "CrampApplication", "CrampTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CrampAssessmentTests",
            dependencies: [
                "CrampAssessment", "CrampKnowledge", "CrampJSON",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
