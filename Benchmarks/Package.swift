// swift-tools-version: 6.2
// Benchmarks live in their own package so the test command never builds them.
// Run: cd Benchmarks && swift package benchmark
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which differs between clones: derive it.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "CrampCareBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
    ],
    targets: [
        .executableTarget(
            name: "Assessment",
            dependencies: [
                .product(name: "CrampAssessment", package: root),
                .product(name: "CrampKnowledge", package: root),
                .product(name: "CrampJSON", package: root),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Assessment",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Journal",
            dependencies: [
                .product(name: "CrampJournal", package: root),
                .product(name: "CrampStorage", package: root),
                .product(name: "CrampKnowledge", package: root),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Journal",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Insights",
            dependencies: [
                .product(name: "CrampInsights", package: root),
                .product(name: "CrampJournal", package: root),
                .product(name: "CrampKnowledge", package: root),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Insights",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The yardstick for http-load.py and hosted-load.py: bare Hummingbird routes doing the least
        // the real ones must (SQLite's C API, the copy SQLiteNIO carries, as the store uses; PostgresNIO).
        .executableTarget(
            name: "BareServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ],
            path: "BareServer"
        ),
    ]
)
