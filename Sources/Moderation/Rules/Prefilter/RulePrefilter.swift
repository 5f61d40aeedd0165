/// Decides, in one pass over a comment's normalized body, which rules could possibly match it.
///
/// Each rule that matches only the normalized body and has required literals is registered under
/// them; a rule runs only when one of its literals occurs. Every other rule always runs.
public struct RulePrefilter: Sendable {
    private let automaton: AhoCorasick
    /// Per rule index: whether the rule is gated by the prefilter.
    let isGated: [Bool]
    /// How many rules are gated.
    public let gatedCount: Int
    /// Per rule index: the rule can only match text with a digit (in the text it matches: raw or normalized).
    let needsDigit: [Bool]

    init(rules: [Rule]) {
        var literals: [(bytes: [UInt8], value: Int32)] = []
        var gated = [Bool](repeating: false, count: rules.count)
        for (index, rule) in rules.enumerated() {
            guard let pattern = rule.pattern, rule.fields == [.body], !rule.matchesRawText,
                  let required = LiteralExtractor.requiredLiterals(pattern.source),
                  required.allSatisfy({ $0.unicodeScalars.allSatisfy(\.isASCII) }) else { continue }
            gated[index] = true
            for literal in required { literals.append((Array(literal.utf8), Int32(index))) }
        }
        automaton = AhoCorasick(literals: literals)
        isGated = gated
        gatedCount = gated.filter { $0 }.count
        needsDigit = rules.map { rule in
            guard let pattern = rule.pattern, rule.fields == [.body] else { return false }
            return LiteralExtractor.requiresDigit(pattern.source)
        }
    }

    /// Calls `body` with the index of every rule to run on a text, in rule order: every rule in
    /// `alwaysRun`, and the gated rules whose literals occur in the text.
    func forEachRuleToRun(normalizedBody: @autoclosure () -> String, rawBody: String, rules: [Rule], alwaysRun: RuleIndexSet,
                          _ body: (Int) -> Void) {
        var set = alwaysRun
        let normalized = normalizedBody()
        if gatedCount > 0 {
            automaton.scan(normalized) { set.insert(Int($0)) }
        }
        // Rules that need a digit are skipped on text without one (most comments).
        lazy var rawHasDigit = Self.hasDigit(rawBody)
        lazy var normalizedHasDigit = Self.hasDigit(normalized)
        set.forEach { index in
            if index < needsDigit.count, needsDigit[index] {
                guard rules[index].matchesRawText ? rawHasDigit : normalizedHasDigit else { return }
            }
            body(index)
        }
    }

    /// Whether a text has a digit as PCRE2's `\d` sees it with Unicode properties (any decimal digit).
    static func hasDigit(_ text: String) -> Bool {
        var hasNonASCII = false
        for byte in text.utf8 {
            if byte >= 0x30 && byte <= 0x39 { return true }
            if byte >= 0x80 { hasNonASCII = true }
        }
        return hasNonASCII && text.unicodeScalars.contains { $0.properties.numericType == .decimal }
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
