import Foundation
import Hummingbird

/// A page-level failure: answered as an HTML page with its status, a heading and what to do.
struct WebProblem: Error {
    var status: HTTPResponse.Status
    var heading: String
    var text: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ heading: String, _ text: String) {
        self.status = status
        self.heading = heading
        self.text = text
    }

    /// A form without this session's token: from another site, or from a page older than the session.
    static let staleForm = WebProblem(.forbidden, "This form has expired",
                                      "It was not sent from a page of this session, so nothing was changed. Go back, reload the page and try again.")

    static func notFound(_ id: String) -> WebProblem {
        WebProblem(.notFound, "No such comment", "There is no comment with id \(id).")
    }
}

/// `application/x-www-form-urlencoded` bodies and the helpers around forms.
enum WebForm {
    /// The largest form accepted (an edited comment is the largest field).
    static let maximumBytes = 256 * 1024

    /// The fields of a form body; a repeated field keeps its first value.
    static func parse(_ body: String) -> [String: String] {
        var components = URLComponents()
        // Forms encode spaces as `+`; URLComponents reads only %20.
        components.percentEncodedQuery = body.replacingOccurrences(of: "+", with: "%20")
        var fields: [String: String] = [:]
        for item in components.queryItems ?? [] where fields[item.name] == nil {
            fields[item.name] = item.value ?? ""
        }
        return fields
    }

    /// Reads a request's form, refusing one that is too large or not a form.
    static func read(_ request: inout Request) async throws -> [String: String] {
        let type = request.headers[.contentType] ?? ""
        guard type.lowercased().hasPrefix("application/x-www-form-urlencoded") else {
            throw WebProblem(.unsupportedMediaType, "Not a form", "This address takes a form sent by a page of the review queue.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBytes)
        } catch {
            throw WebProblem(.contentTooLarge, "Too much text", "The form was larger than \(maximumBytes / 1024) KB; nothing was changed.")
        }
        return parse(String(buffer: buffer))
    }

    /// Compares without an early exit, so the time taken does not reveal how much of a guess was right.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count, !y.isEmpty else { return false }
        var difference: UInt8 = 0
        for index in 0..<x.count { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    /// 32 random bytes as URL-safe base64, for CSRF tokens.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// A place to return to after signing in: only a path of the queue itself, never another site.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/ui/"), !next.hasPrefix("/ui//"), !next.contains("\\"),
              !next.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return "/ui/queue" }
        return next
    }

    /// A path segment or query value, percent-encoded.
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?/#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
