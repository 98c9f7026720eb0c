import HTTPTypes
import NIOCore
import NIOPosix
import Synchronization

/// A bounded queue in front of the blocking pool: at most `capacity` hashes run or wait; past
/// that, 503 with Retry-After at once, never a held connection.
final class HashQueue: Sendable {
    let capacity: Int
    private let inFlight = Mutex(0)

    init(capacity: Int) {
        self.capacity = capacity
    }

    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async throws -> T {
        let admitted = inFlight.withLock { count -> Bool in
            guard count < capacity else { return false }
            count += 1
            return true
        }
        guard admitted else {
            var problem = Problem(.serviceUnavailable, "Busy", detail: "the server is checking many passwords at once; try again in a moment")
            problem.headers[.retryAfter] = "1"
            throw problem
        }
        defer { inFlight.withLock { $0 -= 1 } }
        return try await NIOThreadPool.singleton.runIfActive(body)
    }
}
