import NIOCore
import NIOPosix
import Testing

@testable import CrampServer

/// The body-read deadline on its own: work that ends in time keeps its answer or its error, work
/// still running when the deadline passes is cancelled and gives nil, and so does work that ignores
/// the cancellation and finishes late. The HTTP side (a 408 for a trickled body) is
/// `test_server_hardening.py`'s.
@Suite(.timeLimit(.minutes(2)))
struct ReadDeadlineTests {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    @Test func workThatEndsInTimeKeepsItsAnswerOrItsError() async throws {
        for round in 0..<200 {
            let answer = try await ReadDeadline.run(within: .seconds(20), on: loop) { round }
            #expect(answer == round)
        }
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            _ = try await ReadDeadline.run(within: .seconds(20), on: loop) { () async throws -> Int in throw Refused() }
        }
    }

    @Test func workStillRunningAtTheDeadlineIsCancelled() async throws {
        // Waited out, the sleep would pass the suite's time limit: no clock is read here, so a
        // loaded machine cannot fail it.
        let answer = try await ReadDeadline.run(within: .milliseconds(50), on: loop) { () async throws -> Int in
            try await Task.sleep(for: .seconds(600))
            return 1
        }
        #expect(answer == nil)
    }

    @Test func workThatIgnoresTheCancellationAndEndsLateStillGivesNil() async throws {
        let answer = try await ReadDeadline.run(within: .milliseconds(20), on: loop) { () async -> Int in
            // A busy wait that never looks at cancellation, past the deadline.
            let end = ContinuousClock.now + .milliseconds(200)
            while ContinuousClock.now < end {}
            return 1
        }
        #expect(answer == nil)
    }

    @Test func theRequestsOwnTaskIsNotCancelled() async throws {
        _ = try await ReadDeadline.run(within: .milliseconds(10), on: loop) { () async throws -> Int in
            try await Task.sleep(for: .seconds(600))
            return 1
        }
        // The connection goes on after a 408: only the reading child was cancelled.
        #expect(!Task.isCancelled)
    }
}
