import CPCRE2

/// An error from compiling or matching a PCRE2 pattern.
///
/// Compile errors carry PCRE2's own message and the offset in the pattern where it went wrong, so a
/// rule loader can point at the character: `pattern error at offset 17: missing closing parenthesis`.
/// A match that stopped because it hit a resource limit is a ``Code-swift.enum/limitExceeded`` error,
/// distinct from other failures, so callers can tell a runaway pattern from a broken one.
public struct PCRE2Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: Sendable, Equatable {
        /// The pattern does not compile.
        case compile
        /// A match gave up because it reached the match limit, the heap limit or the JIT stack size.
        case limitExceeded
        /// Any other failure while matching.
        case match
    }

    /// What kind of failure this is.
    public var code: Code
    /// PCRE2's message, in English.
    public var message: String
    /// The PCRE2 error number (negative for match errors, positive for compile errors).
    public var pcre2Code: Int32
    /// For compile errors, the offset in the pattern (in UTF-8 code units) where the error was found.
    public var offset: Int?

    public init(code: Code, message: String, pcre2Code: Int32, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.pcre2Code = pcre2Code
        self.offset = offset
    }

    public var description: String {
        switch code {
        case .compile:
            if let offset { return "pattern error at offset \(offset): \(message)" }
            return "pattern error: \(message)"
        case .limitExceeded:
            return "match limit exceeded: \(message)"
        case .match:
            return "match error: \(message)"
        }
    }

    static func message(for errorCode: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = buffer.withUnsafeMutableBufferPointer { pointer in
            pcre2_get_error_message_8(errorCode, pointer.baseAddress, pointer.count)
        }
        guard length > 0 else { return "unknown PCRE2 error \(errorCode)" }
        return String(decoding: buffer[0..<Int(length)], as: UTF8.self)
    }

    static func fromMatch(_ errorCode: Int32) -> PCRE2Error {
        let isLimit = errorCode == PCRE2_ERROR_MATCHLIMIT || errorCode == PCRE2_ERROR_HEAPLIMIT
            || errorCode == PCRE2_ERROR_DEPTHLIMIT || errorCode == PCRE2_ERROR_JIT_STACKLIMIT
        return PCRE2Error(code: isLimit ? .limitExceeded : .match, message: message(for: errorCode), pcre2Code: errorCode)
    }
}
