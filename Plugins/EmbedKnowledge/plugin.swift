import Foundation
import PackagePlugin

/// Compiles data files into the target that uses them, so a release build is one self-contained
/// file: the knowledge base (Knowledge/*.json at the package root) into CrampKnowledge, and the web
/// app's templates, style sheet, scripts and OpenAPI document (the target's Web/ folder) into
/// CrampServer.
@main
struct EmbedKnowledge: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let web = target.name == "CrampServer"
        let directory = web ? target.directoryURL.appending(path: "Web") : context.package.directoryURL.appending(path: "Knowledge")
        let inputs = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { web ? !$0.lastPathComponent.hasPrefix(".") : $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let name = web ? "EmbeddedWeb" : "EmbeddedKnowledge"
        let output = context.pluginWorkDirectoryURL.appending(path: "\(name).swift")
        return [
            .buildCommand(
                displayName: "Embedding \(web ? "the web app's files" : "the knowledge base") (\(inputs.count) files)",
                executable: try context.tool(named: "KnowledgeEmbedder").url,
                arguments: [name, output.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
