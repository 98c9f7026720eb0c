import HTTPTypes
public import Hummingbird
import Synchronization

/// The routes as the router was given them (method and path, parameters as `:name`): the
/// permission matrix test reads every route from here, so none can be left out.
public final class RouteListing: Sendable {
    private let entries = Mutex<[Route]>([])

    public struct Route: Sendable, Hashable {
        public let method: HTTPRequest.Method
        public let path: String
    }

    public init() {}

    public var routes: [Route] { entries.withLock { $0 } }

    func add(_ method: HTTPRequest.Method, _ path: String) { entries.withLock { $0.append(Route(method: method, path: path)) } }
}

/// The router, with each route written into a listing as it is added.
final class RouteBook: RouterMethods {
    typealias Context = CrampRequestContext
    let router: Router<CrampRequestContext>
    let listing: RouteListing?

    init(_ router: Router<CrampRequestContext>, listing: RouteListing?) {
        self.router = router
        self.listing = listing
    }

    @discardableResult func on<Responder: HTTPResponder>(_ path: RouterPath, method: HTTPRequest.Method, responder: Responder) -> Self
    where Responder.Context == Context {
        listing?.add(method, path.description)
        router.on(path, method: method, responder: responder)
        return self
    }

    @discardableResult func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        router.add(middleware: middleware)
        return self
    }
}
