import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A browser as the review queue's HTTP tests see it: its own cookie jar, redirects not followed (so
/// tests see each 303 and each Set-Cookie), forms sent as `application/x-www-form-urlencoded`.
///
/// ```swift
/// let browser = BrowserSession(port: daemon.port)
/// let page = try await browser.get("/ui/login")
/// let signedIn = try await browser.post("/ui/login", form: ["csrf": page.formToken!, "name": "ann", "password": "…"])
/// ```
public final class BrowserSession: @unchecked Sendable {
    public struct Page: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var text: String

        public func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        public var setCookies: [String] { headers.filter { $0.0.lowercased() == "set-cookie" }.map(\.1) }
        public var location: String? { header("location") }

        /// The value of the first hidden `csrf` field (every form of a page carries the same).
        public var formToken: String? { Self.attribute(after: "name=\"csrf\" value=\"", in: text) }

        /// The value of the first hidden field of this name.
        public func field(_ name: String) -> String? { Self.attribute(after: "name=\"\(name)\" value=\"", in: text) }

        static func attribute(after marker: String, in text: String) -> String? {
            guard let start = text.range(of: marker) else { return nil }
            let rest = text[start.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
    }

    public let port: Int
    /// Cookies by name, as a browser keeps them (an expired one is removed).
    public private(set) var cookies: [String: String] = [:]
    private let lock = NSLock()
    private static let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                           configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(30))))

    public init(port: Int) {
        self.port = port
    }

    public func setCookie(_ name: String, _ value: String?) {
        lock.withLock { cookies[name] = value }
    }

    public func get(_ path: String, headers: [String: String] = [:]) async throws -> Page {
        try await send("GET", path, body: nil, headers: headers)
    }

    public func post(_ path: String, form: [String: String], headers: [String: String] = [:]) async throws -> Page {
        var components = URLComponents()
        components.queryItems = form.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        // Forms encode `+` as %2B (URLComponents leaves it, and a `+` reads as a space).
        let body = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        var headers = headers
        headers["Content-Type"] = headers["Content-Type"] ?? "application/x-www-form-urlencoded"
        return try await send("POST", path, body: body, headers: headers)
    }

    public func send(_ method: String, _ path: String, body: String?, headers: [String: String] = [:]) async throws -> Page {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = HTTPMethod(rawValue: method)
        let cookieHeader = lock.withLock { cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if !cookieHeader.isEmpty { request.headers.add(name: "Cookie", value: cookieHeader) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await Self.client.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 16 * 1024 * 1024)
        let page = Page(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, text: String(buffer: buffer))
        lock.withLock {
            for cookie in page.setCookies {
                let pair = cookie.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1)
                guard pair.count >= 1 else { continue }
                let name = String(pair[0]).trimmingCharacters(in: .whitespaces)
                let value = pair.count > 1 ? String(pair[1]) : ""
                let expired = cookie.lowercased().contains("max-age=0") || value.isEmpty
                    || (cookie.range(of: "Expires=")).map { Self.isPast(String(cookie[$0.upperBound...].prefix(while: { $0 != ";" }))) } == true
                cookies[name] = expired ? nil : value
            }
        }
        return page
    }

    static func isPast(_ text: String) -> Bool {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text).map { $0 < Date() } ?? false
    }
}
