/// The shape of the text rather than its words: runs of one character, one word over and over, strings
/// of letters no language uses, floods of emoji and symbols, and walls of text.
public struct ShapeHeuristic: Heuristic {
    /// Settings for text shape.
    public struct Configuration: Sendable, Equatable {
        /// A character repeated this many times in a row counts. The default is 8.
        public var repeatedCharacterRun: Int = 8
        /// The score for such a run. The default is 1.
        public var repeatedCharacterScore: Double = 1
        /// The score when one word makes up most of a comment, or repeats four times running. The default is 2.
        public var repeatedWordScore: Double = 2
        /// The score for gibberish. The default is 2.
        public var gibberishScore: Double = 2
        /// Emoji and symbols beyond this count, making most of the text, count as a flood. The default is 12.
        public var symbolFloodMinimum: Int = 12
        /// The score for a flood of emoji or symbols. The default is 2.
        public var symbolFloodScore: Double = 2
        /// Bodies longer than this many characters count as very long. The default is 3,000.
        public var longBodyCharacters: Int = 3_000
        /// The score for a very long body. The default is 1.
        public var longBodyScore: Double = 1
        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public func evaluate(_ analysis: CommentAnalysis) -> [Signal] {
        var signals: [Signal] = []
        let body = analysis.comment.body
        if let run = longestRun(in: body), run.count >= configuration.repeatedCharacterRun {
            signals.append(Signal(source: .heuristic, name: "shape.repeated_characters", score: configuration.repeatedCharacterScore,
                                  explanation: "“\(run.character)” repeated \(run.count) times in a row"))
        }
        let words = analysis.words
        if let repeated = repeatedWord(words) {
            signals.append(Signal(source: .heuristic, name: "shape.repeated_words", score: configuration.repeatedWordScore,
                                  explanation: "The word “\(repeated.word)” makes up \(repeated.count) of \(words.count) words"))
        }
        let gibberish = words.filter { $0.count >= 6 && Self.isGibberish($0) }
        let long = words.filter { $0.count >= 6 }.count
        if gibberish.count >= 2, Double(gibberish.count) >= 0.3 * Double(long) {
            signals.append(Signal(source: .heuristic, name: "shape.gibberish", score: configuration.gibberishScore,
                                  explanation: "\(gibberish.count) strings of letters that are not words (such as “\(gibberish[0])”)"))
        }
        var symbols = 0
        var visible = 0
        for scalar in body.unicodeScalars where !scalar.properties.isWhitespace {
            visible += 1
            if !scalar.isASCII, scalar.properties.isEmoji || scalar.properties.generalCategory == .otherSymbol { symbols += 1 }
        }
        if symbols >= configuration.symbolFloodMinimum, symbols * 2 >= visible {
            signals.append(Signal(source: .heuristic, name: "shape.symbol_flood", score: configuration.symbolFloodScore,
                                  explanation: "Mostly emoji or symbols (\(symbols) of \(visible) characters)"))
        }
        if body.utf8.count > configuration.longBodyCharacters, body.count > configuration.longBodyCharacters {
            signals.append(Signal(source: .heuristic, name: "shape.long_body", score: configuration.longBodyScore,
                                  explanation: "Very long (\(body.count) characters): pasted text and copypasta often are"))
        }
        return signals
    }

    func longestRun(in text: String) -> (character: Character, count: Int)? {
        var best: (Character, Int)?
        var current: Character?
        var count = 0
        for character in text {
            if character == current {
                count += 1
            } else {
                current = character
                count = 1
            }
            if !character.isWhitespace, count > (best?.1 ?? 0) { best = (character, count) }
        }
        return best
    }

    func repeatedWord(_ words: [Substring]) -> (word: Substring, count: Int)? {
        guard words.count >= 4 else { return nil }
        var counts: [Substring: Int] = [:]
        var runWord: Substring = ""
        var run = 0
        for word in words {
            counts[word, default: 0] += 1
            if word == runWord { run += 1 } else { runWord = word; run = 1 }
            if run >= 4 && word.count >= 2 { return (word, counts[word]!) }
        }
        guard words.count >= 10, let top = counts.filter({ $0.key.count >= 3 }).max(by: { $0.value < $1.value }),
              Double(top.value) >= 0.4 * Double(words.count) else { return nil }
        return (top.key, top.value)
    }

    /// Whether a lower-case word looks like keyboard mashing: no vowels, a long run of consonants, or
    /// letter pairs that English does not use.
    static func isGibberish(_ word: Substring) -> Bool {
        let letters = word.unicodeScalars.filter { $0.isASCII && $0.properties.isAlphabetic }
        guard letters.count >= 6, letters.count == word.unicodeScalars.count else { return false }
        let vowels: Set<Unicode.Scalar> = ["a", "e", "i", "o", "u", "y"]
        var consonantRun = 0
        var longestConsonantRun = 0
        var vowelCount = 0
        var previous: Unicode.Scalar?
        var rarePairs = 0
        for letter in letters {
            if vowels.contains(letter) {
                vowelCount += 1
                consonantRun = 0
            } else {
                consonantRun += 1
                longestConsonantRun = max(longestConsonantRun, consonantRun)
            }
            if let previous, Self.isRarePair(previous, letter) { rarePairs += 1 }
            previous = letter
        }
        return vowelCount == 0 || longestConsonantRun >= 5 || rarePairs >= 2
            || Double(vowelCount) / Double(letters.count) < 0.15
    }

    static let rare: Set<String> = ["qz", "qx", "qj", "qk", "qg", "qv", "qw", "qy", "zx", "xz", "jx", "xj", "vq", "jq", "fq", "kq",
                                    "wq", "zq", "qh", "qf", "qp", "qd", "qs", "qc", "qb", "qm", "qn", "qt", "qr", "ql", "vj", "jv",
                                    "jz", "zj", "vx", "xv", "kx", "xk", "gx", "xg", "cx", "fx", "xf", "vw", "wv", "bx", "pq", "qq",
                                    "jj", "vv", "kz", "zk", "hx", "xh", "jw", "wj", "fz", "zf", "jk", "kj", "jg", "gj", "bq", "xq"]

    static func isRarePair(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> Bool {
        var pair = ""
        pair.unicodeScalars.append(a)
        pair.unicodeScalars.append(b)
        return rare.contains(pair)
    }
}
