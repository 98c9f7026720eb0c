import Hummingbird

/// Sets the largest body a request may send, from the configuration (CRAMPCARE_MAX_BODY_BYTES,
/// 1 MiB unless set).
struct UploadLimit: RouterMiddleware {
    typealias Context = CrampRequestContext
    let bytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.maxUploadSize = bytes
        return try await next(request, context)
    }
}
