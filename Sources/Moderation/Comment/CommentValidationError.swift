/// Why a submitted comment was refused, in the shape the HTTP API returns:
/// `{"error": {"code": ..., "message": ..., "field": ...}}`.
public struct CommentValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable, machine-readable reasons.
    public enum Code: String, Sendable {
        case invalidJSON = "invalid_json"
        case invalidUTF8 = "invalid_utf8"
        case notAnObject = "not_an_object"
        case missingField = "missing_field"
        case wrongType = "wrong_type"
        case unknownField = "unknown_field"
        case invalidValue = "invalid_value"
        case tooLong = "too_long"
        case tooLarge = "too_large"
    }

    public var code: Code
    /// One sentence that says what was wrong and what to send instead.
    public var message: String
    /// The JSON field at fault, when there is one.
    public var field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String {
        field.map { "\($0): \(message)" } ?? message
    }
}
