import CrampStorage
import HTTPTypes
import Hummingbird

/// What each API token scope may do, by method and path (account changes need a session
/// whatever the scope: `AccountAPI.requireSession`).
enum TokenPolicy {
    /// `log`: log a cramp, put one queued offline, and check one; nothing is read back.
    static func allows(_ scope: TokenScope, method: HTTPRequest.Method, path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        switch scope {
        case .full:
            return true
        case .read:
            return method == .get || method == .head || (method == .post && ["assessments", "questionnaire-responses"].contains(parts.last ?? ""))
        case .log:
            guard parts.count >= 3, parts[0] == "api", parts[1] == "v1" else { return false }
            switch (method, parts.count, parts[2]) {
            case (.post, 3, "episodes"), (.put, 4, "episodes"), (.post, 3, "assessments"), (.post, 3, "questionnaire-responses"): return true
            default: return false
            }
        }
    }

    static func check(_ scope: TokenScope, method: HTTPRequest.Method, path: String) throws {
        guard allows(scope, method: method, path: path) else {
            var problem = Problem(
                .forbidden, "Not allowed for this token",
                detail: "a \(scope.rawValue) token may not \(method.rawValue) \(path.prefix(100)); use a token with more rights, or sign in")
            problem.headers[.wwwAuthenticate] = "Bearer realm=\"crampcare\", error=\"insufficient_scope\""
            throw problem
        }
    }
}
