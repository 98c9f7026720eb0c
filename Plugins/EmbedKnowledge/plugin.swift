import Foundation
import PackagePlugin

/// Compiles the knowledge base (Knowledge/*.json at the package root) into the target that uses it.
@main
struct EmbedKnowledge: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let directory = context.package.directoryURL.appending(path: "Knowledge")
        let inputs = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedKnowledge.swift")
        return [
            .buildCommand(
                displayName: "Embedding the knowledge base (\(inputs.count) files)",
                executable: try context.tool(named: "KnowledgeEmbedder").url,
                arguments: [output.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
