import ArgumentParser
import CrampKnowledge

@main
struct CrampCare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crampcare",
        abstract: "Understand, relieve and prevent cramps in the muscles around the knee.",
        discussion: """
            CrampCare gives information, not a diagnosis. In an emergency, call your local emergency \
            number (112, 999, 911, 000 ...).
            """,
        version: "0.1.0",
        subcommands: [
            Assess.self, Log.self, Day.self, History.self, Show.self, Edit.self, Delete.self, ProfileCommand.self,
            Export.self, Import.self, Erase.self, InsightsCommand.self, ReportCommand.self, PlanCommand.self, QuestionnaireCommand.self, Relieve.self,
            Learn.self, Ask.self, Serve.self,
        ]
    )
}

/// The knowledge base compiled into this binary; a broken one stops every command with its reason.
func loadKnowledge() throws -> KnowledgeBase {
    switch KnowledgeBase.bundled {
    case .success(let knowledge): return knowledge
    case .failure(let error):
        Console.error("crampcare: the built-in \(error.description)")
        throw ExitCode(70)
    }
}

/// Runs a command body, turning CLIError into a message on stderr and its exit code.
func reporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as CLIError {
        Console.error("crampcare: \(error.message)")
        throw ExitCode(error.exitCode)
    }
}

/// `reporting` for async bodies.
func reportingAsync<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as CLIError {
        Console.error("crampcare: \(error.message)")
        throw ExitCode(error.exitCode)
    }
}
