public import CrampJournal
public import CrampStorage
public import Hummingbird
import NIOCore

/// One request's context: who it acts for, once the authentication middleware has decided.
public struct CrampRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The journal owner the request acts for; nil for a visitor who has not signed in.
    public var owner: OwnerID?
    /// How the owner was recognised.
    public var credential: Credential = .none
    /// The region whose emergency number the pages show: the owner's profile's, if set.
    public var region: String?
    /// The connection, kept to read the peer's address only when it is needed (sign-in limits).
    private let channel: any Channel
    /// The peer's address, for counting failed sign-ins per address.
    public var peerAddress: String { channel.remoteAddress?.ipAddress ?? "unknown" }
    /// The connection's event loop, for timers that must not cost a task.
    var eventLoop: any EventLoop { channel.eventLoop }

    public enum Credential: Sendable, Equatable {
        case none
        /// Personal mode: the one local owner.
        case local
        /// A browser session; the digest of its cookie's secret.
        case session(digest: String)
        /// An API token and what it may do.
        case apiToken(scope: TokenScope)
    }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Bodies above this are refused before they are read in full: the configured cap, set by
    /// `UploadLimit` for every request.
    public var maxUploadSize: Int = 1 << 20
}
