import NIOCore
import Synchronization

/// A deadline for one piece of async work: when it passes, the task doing the work is cancelled,
/// unless the work finished first. One timer on the connection's event loop, where a race with a
/// second task sleeping cost a task, a timer and a wake-up on every request.
final class ReadDeadline: Sendable {
    /// The task's handle, held only while the work runs: `cancel()` is safe from any thread, and
    /// the lock keeps the timer from touching the task once the work has left its scope.
    private struct Handle: @unchecked Sendable { let task: UnsafeCurrentTask }
    private enum State { case running(Handle), finished, passed }
    private let state: Mutex<State>

    private init(_ handle: Handle) { state = Mutex(.running(handle)) }

    /// Runs `work` in a child task (cancelling the request's own task would end its connection);
    /// nil when the deadline passed, whatever the work returned or threw after that.
    static func run<T: Sendable>(
        within time: TimeAmount, on loop: any EventLoop, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await withUnsafeCurrentTask { task in
                    guard let task else { return try await work() }
                    let deadline = ReadDeadline(Handle(task: task))
                    let timer = loop.scheduleTask(in: time) { deadline.pass() }
                    let outcome: Result<T, any Error>
                    do { outcome = .success(try await work()) } catch { outcome = .failure(error) }
                    timer.cancel()
                    guard deadline.finish() else { return nil }
                    return try outcome.get()
                }
            }
            return try await group.next() ?? nil
        }
    }

    private func pass() {
        state.withLock { state in
            guard case .running(let handle) = state else { return }
            handle.task.cancel()
            state = .passed
        }
    }

    /// False when the deadline passed first.
    private func finish() -> Bool {
        state.withLock { state in
            guard case .running = state else { return false }
            state = .finished
            return true
        }
    }
}
