import CPCRE2

/// Options for compiling a pattern. Every pattern is compiled in UTF mode with Unicode properties
/// (`\b`, `\w`, `\d` and case folding understand all of Unicode); these add to that.
public struct PatternOptions: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Letters match regardless of case (`(?i)`).
    public static let caseless = PatternOptions(rawValue: UInt32(PCRE2_CASELESS))
    /// `^` and `$` match at line breaks (`(?m)`).
    public static let multiline = PatternOptions(rawValue: UInt32(PCRE2_MULTILINE))
    /// `.` also matches line breaks (`(?s)`).
    public static let dotAll = PatternOptions(rawValue: UInt32(PCRE2_DOTALL))
    /// White space and `#` comments in the pattern are ignored (`(?x)`).
    public static let extended = PatternOptions(rawValue: UInt32(PCRE2_EXTENDED))
}

/// A compiled, JIT-compiled, immutable PCRE2 pattern that is safe to share across threads.
///
/// Matching runs over the subject string's own UTF-8 bytes, without copying them, and always under
/// the limits of the ``MatchScratch`` it is given.
///
/// ```swift
/// let pattern = try Pattern(#"\bcasino\b"#, options: .caseless)
/// let scratch = MatchScratch()
/// if let match = try pattern.firstMatch(in: "Best CASINO bonus", scratch: scratch) {
///     print(match.utf8Range) // 5..<11
/// }
/// ```
public final class Pattern: @unchecked Sendable {
    // The compiled code is never mutated after init; PCRE2 documents it as safe for concurrent matching.
    private let code: OpaquePointer
    /// The pattern's source text.
    public let source: String
    /// The options it was compiled with.
    public let options: PatternOptions
    /// Whether the JIT compiler accepted the pattern (if not, matches run in the interpreter).
    public let isJITCompiled: Bool

    /// Compiles a pattern in UTF and UCP mode and JIT-compiles it.
    /// - Throws: ``PCRE2Error`` with code `.compile`, PCRE2's message and the offset of the error.
    public init(_ source: String, options: PatternOptions = []) throws(PCRE2Error) {
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let flags = UInt32(PCRE2_UTF) | UInt32(PCRE2_UCP) | options.rawValue
        let compiled: OpaquePointer? = source.utf8.withContiguousStorageIfAvailable { bytes in
            pcre2_compile_8(bytes.baseAddress, bytes.count, flags, &errorCode, &errorOffset, nil)
        } ?? {
            var copy = source
            copy.makeContiguousUTF8()
            return copy.utf8.withContiguousStorageIfAvailable { bytes in
                pcre2_compile_8(bytes.baseAddress, bytes.count, flags, &errorCode, &errorOffset, nil)
            } ?? nil
        }()
        guard let compiled else {
            throw PCRE2Error(code: .compile, message: PCRE2Error.message(for: errorCode),
                             pcre2Code: errorCode, offset: errorOffset)
        }
        self.code = compiled
        self.source = source
        self.options = options
        self.isJITCompiled = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
    }

    deinit {
        pcre2_code_free_8(code)
    }

    /// The first match at or after a UTF-8 offset, or `nil` when there is none.
    /// - Parameters:
    ///   - subject: The text to search.
    ///   - utf8Offset: Where to start, in UTF-8 code units; must be on a character boundary.
    ///   - scratch: Match state and limits; reuse one per thread.
    /// - Throws: ``PCRE2Error`` with code `.limitExceeded` when a limit stopped the match.
    public func firstMatch(in subject: String, from utf8Offset: Int = 0, scratch: MatchScratch) throws(PCRE2Error) -> Match? {
        guard let range = try firstUTF8Range(in: subject, from: utf8Offset, scratch: scratch) else { return nil }
        return Match(utf8Range: range, range: Self.stringRange(range, in: subject))
    }

    /// Whether the pattern matches anywhere in the subject.
    public func matches(_ subject: String, scratch: MatchScratch) throws(PCRE2Error) -> Bool {
        try firstUTF8Range(in: subject, from: 0, scratch: scratch) != nil
    }

    /// Every non-overlapping match, left to right, at most `limit` of them.
    public func allMatches(in subject: String, limit: Int = .max, scratch: MatchScratch) throws(PCRE2Error) -> [Match] {
        var result: [Match] = []
        var offset = 0
        let count = subject.utf8.count
        while result.count < limit, offset <= count,
              let range = try firstUTF8Range(in: subject, from: offset, scratch: scratch) {
            result.append(Match(utf8Range: range, range: Self.stringRange(range, in: subject)))
            if range.isEmpty {
                // Step over one whole character so an empty match cannot loop forever.
                guard range.upperBound < count else { break }
                let index = subject.utf8.index(subject.utf8.startIndex, offsetBy: range.upperBound)
                let next = subject.unicodeScalars.index(after: index)
                offset = subject.utf8.distance(from: subject.utf8.startIndex, to: next)
            } else {
                offset = range.upperBound
            }
        }
        return result
    }

    /// The matched range in UTF-8 code units, the primitive under the other match methods.
    public func firstUTF8Range(in subject: String, from utf8Offset: Int = 0, scratch: MatchScratch) throws(PCRE2Error) -> Range<Int>? {
        var result: Int32 = 0
        let done: Void? = subject.utf8.withContiguousStorageIfAvailable { bytes in
            result = run(bytes, from: utf8Offset, scratch: scratch)
        }
        if done == nil {
            var copy = subject
            copy.makeContiguousUTF8()
            _ = copy.utf8.withContiguousStorageIfAvailable { bytes in
                result = run(bytes, from: utf8Offset, scratch: scratch)
            }
        }
        if result == PCRE2_ERROR_NOMATCH { return nil }
        if result < 0 { throw PCRE2Error.fromMatch(result) }
        let ovector = pcre2_get_ovector_pointer_8(scratch.matchData)!
        return ovector[0]..<ovector[1]
    }

    private func run(_ bytes: UnsafeBufferPointer<UInt8>, from offset: Int, scratch: MatchScratch) -> Int32 {
        // An empty Swift string may have no storage address; PCRE2 needs a non-null pointer.
        let empty: [UInt8] = [0]
        return empty.withUnsafeBufferPointer { fallback in
            let base = bytes.baseAddress ?? fallback.baseAddress!
            if isJITCompiled {
                return pcre2_jit_match_8(code, base, bytes.count, offset, 0, scratch.matchData, scratch.context)
            }
            // Swift strings are valid UTF-8: skipping PCRE2's check keeps scanning linear.
            return pcre2_match_8(code, base, bytes.count, offset, UInt32(PCRE2_NO_UTF_CHECK),
                                 scratch.matchData, scratch.context)
        }
    }

    static func stringRange(_ range: Range<Int>, in subject: String) -> Range<String.Index> {
        let utf8 = subject.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let upper = utf8.index(lower, offsetBy: range.count)
        return lower..<upper
    }
}
