import Hummingbird
import Synchronization

/// The routes the daemon serves, by path pattern and method, so that a request for a path that exists
/// with a method it does not take gets `405 Method Not Allowed` with `Allow` (RFC 9110), not a 404.
final class RouteTable: Sendable {
    private let routes = Mutex<[(segments: [Substring], method: String)]>([])

    /// Reads the router's routes (call once every route is registered).
    func load<Context>(_ router: Router<Context>) {
        let loaded = router.routes.map { (segments: Self.segments($0.path.description), method: $0.method.rawValue) }
        routes.withLock { $0 = loaded }
    }

    /// The methods `path` takes, sorted; empty when no route has that path.
    func methods(for path: String) -> [String] {
        let requested = Self.segments(path)
        let methods = routes.withLock { routes in
            routes.filter { route in
                route.segments.count == requested.count
                    && zip(route.segments, requested).allSatisfy { pattern, segment in
                        pattern == segment || pattern.hasPrefix("{") || pattern.hasPrefix(":") || pattern == "*"
                    }
            }.map(\.method)
        }
        var allowed = Set(methods)
        if allowed.contains("GET") { allowed.insert("HEAD") }
        return allowed.sorted()
    }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }
}
