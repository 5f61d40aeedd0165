import Foundation

/// Turns a submitted JSON object into a validated ``Comment``, strictly.
///
/// Every problem is reported against the field it concerns, and values are never coerced: a rating
/// must be a JSON integer from 1 to 5 (`"five"`, `4.5` and `"5"` are refused), identifiers must be
/// strings, and fields the contract does not name are refused so a misspelt optional field is not
/// silently dropped.
///
/// ```swift
/// let comment = try CommentDecoder().decode(Data(#"{"id":"c1","article_id":"a1","author":"Ann","body":"Nice","rating":4}"#.utf8))
/// ```
public struct CommentDecoder: Sendable {
    /// The limits checked while decoding.
    public var limits: CommentLimits

    public init(limits: CommentLimits = .default) {
        self.limits = limits
    }

    static let knownFields: Set<String> = Set(Comment.CodingKeys.allKeys)

    /// Decodes and validates one comment.
    /// - Throws: ``CommentValidationError`` naming the field at fault.
    public func decode(_ data: some Collection<UInt8>) throws(CommentValidationError) -> Comment {
        try validate(JSONObject.fields(of: data, maxBytes: limits.maxRequestBytes, what: "the comment's"))
    }

    func validate(_ object: [String: JSONScalar]) throws(CommentValidationError) -> Comment {
        for key in object.keys.sorted() where !Self.knownFields.contains(key) {
            throw CommentValidationError(.unknownField, "Unknown field \"\(key)\"; the fields are \(Comment.CodingKeys.allKeys.joined(separator: ", ")).", field: key)
        }
        let id = try requiredString("id", object)
        let articleID = try requiredString("article_id", object)
        let author = try requiredString("author", object)
        let body = try requiredString("body", object)
        let rating = try requiredRating(object)
        var submittedAt: Date?
        if let text = try optionalString("submitted_at", object) {
            guard text.utf8.count <= 64, let date = Self.parseTimestamp(text) else {
                throw CommentValidationError(.invalidValue, "submitted_at must be an ISO 8601 time such as 2026-11-29T07:30:00Z.", field: "submitted_at")
            }
            submittedAt = date
        }
        let comment = Comment(id: id, articleID: articleID, author: author, body: body, rating: rating,
                              articleURL: try optionalString("article_url", object), email: try optionalString("email", object),
                              ip: try optionalString("ip", object), userAgent: try optionalString("user_agent", object),
                              submittedAt: submittedAt)
        try validate(comment)
        return comment
    }

    /// Checks the values of a comment built elsewhere (sizes, formats, rating range), as decoding does.
    public func validate(_ comment: Comment) throws(CommentValidationError) {
        try identifier("id", comment.id)
        try identifier("article_id", comment.articleID)
        try text("author", comment.author, maxLength: limits.maxAuthorCharacters)
        if comment.author.unicodeScalars.allSatisfy({ $0.isASCII ? $0.value <= 0x20 : $0.properties.isWhitespace }) {
            throw CommentValidationError(.invalidValue, "author must not be empty.", field: "author")
        }
        try text("body", comment.body, maxLength: limits.maxBodyCharacters)
        guard (1...5).contains(comment.rating) else {
            throw CommentValidationError(.invalidValue, "rating must be from 1 to 5; got \(comment.rating).", field: "rating")
        }
        if let articleURL = comment.articleURL {
            try text("article_url", articleURL, maxLength: limits.maxURLCharacters)
            // Compared as bytes: a character that combines with the `/` (a skin-tone modifier, say) must not hide the scheme.
            guard articleURL.utf8.starts(with: "http://".utf8) || articleURL.utf8.starts(with: "https://".utf8) else {
                throw CommentValidationError(.invalidValue, "article_url must be an http:// or https:// URL.", field: "article_url")
            }
        }
        if let email = comment.email {
            try text("email", email, maxLength: limits.maxEmailCharacters)
            guard Self.looksLikeEmail(email) else {
                throw CommentValidationError(.invalidValue, "email must look like name@example.org.", field: "email")
            }
        }
        if let ip = comment.ip {
            guard ip.utf8.count <= 45, IPAddress(ip) != nil else {
                throw CommentValidationError(.invalidValue, "ip must be an IPv4 or IPv6 address such as 203.0.113.7.", field: "ip")
            }
        }
        if let userAgent = comment.userAgent {
            try text("user_agent", userAgent, maxLength: limits.maxUserAgentCharacters)
        }
    }

    func identifier(_ name: String, _ value: String) throws(CommentValidationError) {
        try text(name, value, maxLength: limits.maxIdentifierCharacters)
        // The store counts Unicode scalars (SQLite's length()), not characters: an id of 200 characters
        // with combining marks must not pass here and fail there.
        if value.unicodeScalars.count > limits.maxIdentifierCharacters {
            throw CommentValidationError(.tooLong, "\(name) is longer than \(limits.maxIdentifierCharacters) characters "
                + "(combining marks count as characters in an identifier).", field: name)
        }
        if value.isEmpty || value.unicodeScalars.contains(where: { $0.isASCII ? $0.value <= 0x20 : $0.properties.isWhitespace }) {
            throw CommentValidationError(.invalidValue, "\(name) must be a non-empty string without spaces.", field: name)
        }
    }

    func text(_ name: String, _ text: String, maxLength: Int) throws(CommentValidationError) {
        if text.utf8.contains(0) {
            throw CommentValidationError(.invalidValue, "\(name) must not contain NUL characters.", field: name)
        }
        // Counting characters is slow; a text with no more bytes than the limit cannot be over it.
        if text.utf8.count > maxLength && text.count > maxLength {
            throw CommentValidationError(.tooLong, "\(name) is longer than \(maxLength) characters.", field: name)
        }
        // One character can carry any number of combining marks. Sixteen bytes a character is room for
        // any script's clusters (Devanagari conjuncts, emoji with skin tones); more is padding. (For the
        // body this is more than a request may carry, so the request limit is what binds.)
        if text.utf8.count > maxLength * 16 {
            throw CommentValidationError(.tooLong, "\(name) is longer than \(maxLength * 16) bytes.", field: name)
        }
    }

    func requiredString(_ name: String, _ object: [String: JSONScalar]) throws(CommentValidationError) -> String {
        guard let value = object[name], value != .null else {
            throw CommentValidationError(.missingField, "\(name) is required.", field: name)
        }
        return try string(name, value)
    }

    func optionalString(_ name: String, _ object: [String: JSONScalar]) throws(CommentValidationError) -> String? {
        guard let value = object[name], value != .null else { return nil }
        let text = try string(name, value)
        return text.isEmpty ? nil : text
    }

    func string(_ name: String, _ value: JSONScalar) throws(CommentValidationError) -> String {
        guard case .string(let text) = value else {
            throw CommentValidationError(.wrongType, "\(name) must be a string, not \(value.typeName).", field: name)
        }
        return text
    }

    private func requiredRating(_ object: [String: JSONScalar]) throws(CommentValidationError) -> Int {
        guard let value = object["rating"], value != .null else {
            throw CommentValidationError(.missingField, "rating is required: a whole number of stars from 1 to 5.", field: "rating")
        }
        guard case .integer(let rating) = value else {
            throw CommentValidationError(.wrongType, "rating must be a whole number from 1 to 5, not \(value.typeName).", field: "rating")
        }
        return rating
    }

    /// Whether a text has the shape of an e-mail address: one `@` with something before it, a dot
    /// after it, and no white space. (One pass over the bytes.)
    public static func looksLikeEmail(_ text: String) -> Bool {
        var ats = 0
        var beforeAt = 0
        var dotsAfterAt = 0
        for scalar in text.unicodeScalars {
            if scalar == "@" {
                ats += 1
            } else if ats == 0 {
                beforeAt += 1
            } else if scalar == "." {
                dotsAfterAt += 1
            }
            if scalar.properties.isWhitespace { return false }
        }
        return ats == 1 && beforeAt > 0 && dotsAfterAt > 0
    }

    /// Parses an RFC 3339 time (ISO 8601 with a date and time): with or without fractional seconds (any
    /// number of digits; beyond microseconds they are dropped), `t` and `z` in either case, an offset of
    /// at most 18 hours.
    public static func parseTimestamp(_ text: String) -> Date? {
        var scalars = Array(text.unicodeScalars)
        guard scalars.count >= 20, scalars.count <= 64 else { return nil }
        if scalars[10] == "t" { scalars[10] = "T" }
        if scalars[scalars.count - 1] == "z" { scalars[scalars.count - 1] = "Z" }
        if scalars[19] == "." {
            var end = 20
            while end < scalars.count, ("0"..."9").contains(scalars[end]) { end += 1 }
            if end - 20 > 6 { scalars.removeSubrange(26..<end) }
        }
        var normalized = String.UnicodeScalarView()
        normalized.append(contentsOf: scalars)
        let text = String(normalized)
        if let date = try? Date(text, strategy: .iso8601) { return date }
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return try? withFraction.parse(text)
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            return context.underlyingError.map { "\($0.localizedDescription)" } ?? context.debugDescription
        case DecodingError.typeMismatch(_, let context):
            return context.debugDescription
        default:
            return "\(error)"
        }
    }
}


/// A JSON value as far as comment validation cares: scalars are kept, containers only named.
enum JSONScalar: Decodable, Equatable {
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case null
    case container

    init(from decoder: any Decoder) throws {
        // Strings first: nearly every field is one, and each failed attempt costs a thrown error.
        if let container = try? decoder.singleValueContainer() {
            if container.decodeNil() { self = .null; return }
            if let value = try? container.decode(String.self) { self = .string(value); return }
            if let value = try? container.decode(Int.self) { self = .integer(value); return }
            if let value = try? container.decode(Double.self) { self = .number(value); return }
            if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        }
        self = .container
    }

    var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .number(let value): "the number \(value)"
        case .bool: "a boolean"
        case .null: "null"
        case .container: "an array or object"
        }
    }
}

/// The top-level JSON object of a submission.
struct JSONObject: Decodable {
    var fields: [String: JSONScalar]

    /// The fields of a request body that must be a JSON object in UTF-8 of at most `maxBytes`.
    /// - Parameter what: Whose fields the object holds, for the message (`the comment's`).
    static func fields(of data: some Collection<UInt8>, maxBytes: Int, what: String) throws(CommentValidationError) -> [String: JSONScalar] {
        if data.count > maxBytes {
            throw CommentValidationError(.tooLarge, "The request body is larger than \(maxBytes) bytes.")
        }
        let bytes = Data(data)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw CommentValidationError(.invalidUTF8, "The request body is not valid UTF-8; send JSON encoded as UTF-8.")
        }
        do {
            return try JSONDecoder().decode(JSONObject.self, from: bytes).fields
        } catch let error as CommentValidationError {
            throw CommentValidationError(error.code, "The request body must be a JSON object with \(what) fields.")
        } catch {
            throw CommentValidationError(.invalidJSON, "The request body is not valid JSON: \(CommentDecoder.describe(error))")
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: Key.self) else {
            throw CommentValidationError(.notAnObject, "The request body must be a JSON object with the comment's fields.")
        }
        var fields: [String: JSONScalar] = [:]
        for key in container.allKeys {
            // The rating is the one integer: trying it as one first spares a thrown error per comment.
            if key.stringValue == "rating", let rating = try? container.decode(Int.self, forKey: key) {
                fields[key.stringValue] = .integer(rating)
            } else {
                fields[key.stringValue] = try container.decode(JSONScalar.self, forKey: key)
            }
        }
        self.fields = fields
    }
}
