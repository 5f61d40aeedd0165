/// Decides, in one pass over a comment's normalized body, which rules could possibly match it.
///
/// Each rule that matches only the normalized body and has required literals is registered under
/// them; a rule runs only when one of its literals occurs. Every other rule always runs.
public struct RulePrefilter: Sendable {
    /// Literals of rules matching the normalized body (already lower case).
    private let automaton: AhoCorasick
    /// Literals of case-insensitive rules matching the original body, scanned with ASCII case folded.
    private let rawAutomaton: AhoCorasick
    /// Per rule index: whether the rule is gated by the prefilter.
    let isGated: [Bool]
    /// How many rules are gated.
    public let gatedCount: Int
    /// How many of them match the original text.
    let rawGatedCount: Int
    /// Per rule index: the rule can only match text with a digit (in the text it matches: raw or normalized).
    let needsDigit: [Bool]
    /// Per rule index: the rule matches the original text rather than the normalized text.
    let matchesRawText: [Bool]

    init(rules: [Rule]) {
        var literals: [(bytes: [UInt8], value: Int32)] = []
        var rawLiterals: [(bytes: [UInt8], value: Int32)] = []
        var gated = [Bool](repeating: false, count: rules.count)
        for (index, rule) in rules.enumerated() {
            guard let pattern = rule.pattern, rule.fields == [.body],
                  // Extended mode changes what the pattern's characters mean; the extractor reads plain syntax.
                  !pattern.options.contains(.extended),
                  // The extracted literals are lower case: on the original text only a caseless pattern can use them.
                  !rule.matchesRawText || pattern.options.contains(.caseless),
                  let required = LiteralExtractor.requiredLiterals(pattern.source),
                  !required.isEmpty else { continue }
            gated[index] = true
            for literal in required {
                if rule.matchesRawText {
                    rawLiterals.append((Array(literal.utf8), Int32(index)))
                } else {
                    literals.append((Array(literal.utf8), Int32(index)))
                }
            }
        }
        automaton = AhoCorasick(literals: literals)
        rawGatedCount = Set(rawLiterals.map(\.value)).count
        // Caseless matching with Unicode properties lets KELVIN SIGN (E2 84 AA) match "k" and LONG S
        // (C5 BF) match "s", which the ASCII folding does not see: the same pass reports them too.
        for variant in Self.nonASCIICaseVariants { rawLiterals.append((variant, Self.runsEveryRawRule)) }
        rawAutomaton = AhoCorasick(literals: rawLiterals, foldsASCIICase: true)
        isGated = gated
        gatedCount = gated.filter { $0 }.count
        matchesRawText = rules.map(\.matchesRawText)
        needsDigit = rules.map { rule in
            guard let pattern = rule.pattern, rule.fields == [.body], !pattern.options.contains(.extended) else { return false }
            return LiteralExtractor.requiresDigit(pattern.source)
        }
    }

    /// Calls `body` with the index of every rule to run on a text, in rule order: every rule in
    /// `alwaysRun`, and the gated rules whose literals occur in the text.
    func forEachRuleToRun(normalizedBody: @autoclosure () -> String, rawBody: String, alwaysRun: RuleIndexSet,
                          _ body: (Int) -> Void) {
        var set = alwaysRun
        let normalized = normalizedBody()
        if gatedCount > rawGatedCount {
            automaton.scan(normalized) { set.insert(Int($0)) }
        }
        if rawGatedCount > 0 {
            var runsEveryRawRule = false
            rawAutomaton.scan(rawBody) { value in
                if value == Self.runsEveryRawRule { runsEveryRawRule = true } else { set.insert(Int(value)) }
            }
            if runsEveryRawRule {
                for index in isGated.indices where isGated[index] && matchesRawText[index] { set.insert(index) }
            }
        }
        // Rules that need a digit are skipped on text without one (most comments).
        lazy var rawHasDigit = Self.hasDigit(rawBody)
        lazy var normalizedHasDigit = Self.hasDigit(normalized)
        set.forEach { index in
            if index < needsDigit.count, needsDigit[index] {
                guard matchesRawText[index] ? rawHasDigit : normalizedHasDigit else { return }
            }
            body(index)
        }
    }

    /// KELVIN SIGN and LATIN SMALL LETTER LONG S in UTF-8: they case-fold to ASCII "k" and "s".
    static let nonASCIICaseVariants: [[UInt8]] = [Array("\u{212A}".utf8), Array("\u{017F}".utf8)]
    /// The value the raw automaton reports for them.
    static let runsEveryRawRule: Int32 = -1

    /// Whether a text has a digit as PCRE2's `\d` sees it with Unicode properties (any decimal digit).
    static func hasDigit(_ text: String) -> Bool {
        var hasNonASCII = false
        for byte in text.utf8 {
            if byte >= 0x30 && byte <= 0x39 { return true }
            if byte >= 0x80 { hasNonASCII = true }
        }
        guard hasNonASCII else { return false }
        for scalar in text.unicodeScalars where scalar.value >= 0x660 && !isWithoutDecimalDigits(scalar.value) {
            if scalar.properties.numericType == .decimal { return true }
        }
        return false
    }

    /// Ranges of code points with no decimal digit (Unicode category Nd) in them: most punctuation,
    /// symbols, CJK and emoji, so the property lookup runs only where a digit can be.
    @inline(__always)
    static func isWithoutDecimalDigits(_ value: UInt32) -> Bool {
        (0x1C5A..<0xA620).contains(value) || (0xAC00..<0xFF10).contains(value) || (0x1F000..<0x1FBF0).contains(value)
    }
}

/// A fixed-size set of rule indices, iterated in increasing order.
struct RuleIndexSet: Sendable {
    private var words: [UInt64]

    init(count: Int, members: [Int] = []) {
        words = [UInt64](repeating: 0, count: (count + 63) / 64)
        for member in members { insert(member) }
    }

    @inline(__always)
    mutating func insert(_ index: Int) {
        words[index >> 6] |= 1 << UInt64(index & 63)
    }

    func forEach(_ body: (Int) -> Void) {
        for (wordIndex, word) in words.enumerated() where word != 0 {
            var remaining = word
            while remaining != 0 {
                let bit = remaining.trailingZeroBitCount
                body(wordIndex << 6 | bit)
                remaining &= remaining - 1
            }
        }
    }
}
