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

    /// A form posted by a page of another site (or another port of this one).
    static let crossSite = WebProblem(.forbidden, "This form came from another site",
                                      "Forms of the review queue are accepted from its own pages only; nothing was changed.")

    static func notFound(_ id: String) -> WebProblem {
        WebProblem(.notFound, "No such comment", "There is no comment with id \(id).")
    }
}

/// `application/x-www-form-urlencoded` bodies and the helpers around forms.
enum WebForm {
    /// The largest form accepted (an edited comment is the largest field).
    static let maximumBytes = 256 * 1024

    /// The fields of a form body (`a=1&b=x+y`), each percent-decoded; a repeated field keeps its first
    /// value. Nil when a name or value is not valid percent-encoded UTF-8.
    static func parse(_ body: String) -> [String: String]? {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            // Forms encode spaces as `+`.
            func decode(_ text: Substring) -> String? { text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = decode(parts[0]), let value = parts.count > 1 ? decode(parts[1]) : "" else { return nil }
            if fields[name] == nil { fields[name] = value }
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
        guard let text = String(bytes: buffer.readableBytesView, encoding: .utf8), let form = parse(text) else {
            throw WebProblem(.badRequest, "The form could not be read", "It was not encoded as a browser encodes a form; nothing was changed.")
        }
        return form
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
