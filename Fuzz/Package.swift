// swift-tools-version: 6.2
// libFuzzer on the parsers, in its own package so the test command never builds it.
// Run: Fuzz/run [seconds per target]   (builds with -sanitize=fuzzer,address in ../.build-fuzz)
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which differs between clones: derive it.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

func fuzzer(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: root) },
        path: "Sources/\(name)",
        // Only the fuzzers link libFuzzer (and its main): the knowledge embedder, a build tool
        // built with the same flags, keeps its own.
        linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address"])]
    )
}

let package = Package(
    name: "CrampCareFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "FuzzSupport", path: "Sources/FuzzSupport"),
        fuzzer("FuzzJSON", ["CrampJSON"]),
        fuzzer("FuzzRequest", ["CrampAssessment", "CrampKnowledge", "CrampJSON"]),
        fuzzer("FuzzBackup", ["CrampJournal"]),
        fuzzer("FuzzCSV", ["CrampJournal"]),
        fuzzer("FuzzXML", ["CrampJournal"]),
        fuzzer("FuzzZip", ["CrampJournal"]),
        fuzzer("FuzzEverydayInput", ["CrampJournal"]),
    ]
)
