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
        var gibberish: [Substring] = []
        var long = 0
        for word in words where word.utf8.count >= 6 {
            long += 1
            if Self.isGibberish(word) { gibberish.append(word) }
        }
        if gibberish.count >= 2, Double(gibberish.count) >= 0.3 * Double(long) {
            signals.append(Signal(source: .heuristic, name: "shape.gibberish", score: configuration.gibberishScore,
                                  explanation: "\(gibberish.count) strings of letters that are not words (such as “\(gibberish[0])”)"))
        }
        var symbols = 0
        var visible = 0
        // Only characters outside ASCII can be emoji or symbols: skip the count when too few are.
        let nonASCII = body.utf8.reduce(0) { $0 + ($1 >= 0xC0 ? 1 : 0) }
        if nonASCII >= configuration.symbolFloodMinimum {
            for scalar in body.unicodeScalars {
                if scalar.isASCII {
                    if scalar.value > 0x20 { visible += 1 }
                } else if !scalar.properties.isWhitespace {
                    visible += 1
                    if scalar.properties.isEmoji || scalar.properties.generalCategory == .otherSymbol { symbols += 1 }
                }
            }
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
        // ASCII text byte by byte (most comments), anything else scalar by scalar.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            return Self.longestRun(of: text.utf8, counting: { $0 > 0x20 }).map { (Character(Unicode.Scalar($0.element)), $0.count) }
        }
        return Self.longestRun(of: text.unicodeScalars, counting: { $0.value > 0x20 }).map { (Character($0.element), $0.count) }
    }

    /// The longest run of one repeated element among those that count (not spaces or controls).
    static func longestRun<S: Sequence>(of elements: S, counting counts: (S.Element) -> Bool) -> (element: S.Element, count: Int)?
    where S.Element: Equatable {
        var best: (element: S.Element, count: Int)?
        var current: S.Element?
        var count = 0
        for element in elements {
            if element == current {
                count += 1
            } else {
                current = element
                count = 1
            }
            if counts(element), count > (best?.count ?? 0) { best = (element, count) }
        }
        return best
    }

    func repeatedWord(_ words: [Substring]) -> (word: Substring, count: Int)? {
        guard words.count >= 4 else { return nil }
        var runWord: Substring = ""
        var run = 0
        for word in words {
            if word == runWord { run += 1 } else { runWord = word; run = 1 }
            if run >= 4 && word.utf8.count >= 2 { return (word, words.filter { $0 == word }.count) }
        }
        guard words.count >= 10 else { return nil }
        // A word making up 40% of the text is among the two Misra–Gries candidates; count those exactly.
        var candidates: [(word: Substring, count: Int)] = []
        for word in words where word.utf8.count >= 3 {
            if let index = candidates.firstIndex(where: { $0.word == word }) {
                candidates[index].count += 1
            } else if candidates.count < 2 {
                candidates.append((word, 1))
            } else {
                for index in candidates.indices { candidates[index].count -= 1 }
                candidates.removeAll { $0.count == 0 }
            }
        }
        for candidate in candidates {
            let count = words.filter { $0 == candidate.word }.count
            if Double(count) >= 0.4 * Double(words.count) { return (candidate.word, count) }
        }
        return nil
    }

    /// Whether a lower-case word looks like keyboard mashing: no vowels, a long run of consonants, or
    /// letter pairs that English does not use.
    static func isGibberish(_ word: Substring) -> Bool {
        var letters = 0
        var vowels = 0
        var consonantRun = 0
        var longestConsonantRun = 0
        var rarePairs = 0
        var previous: UInt8 = 0
        for byte in word.utf8 {
            // Only plain lower-case ASCII words are judged; anything else is not keyboard mashing.
            guard byte >= 0x61 && byte <= 0x7A else { return false }
            letters += 1
            switch byte {
            case 0x61, 0x65, 0x69, 0x6F, 0x75, 0x79:
                vowels += 1
                consonantRun = 0
            default:
                consonantRun += 1
                longestConsonantRun = max(longestConsonantRun, consonantRun)
            }
            if previous != 0, rare[Int(previous - 0x61) * 26 + Int(byte - 0x61)] { rarePairs += 1 }
            previous = byte
        }
        guard letters >= 6 else { return false }
        return vowels == 0 || longestConsonantRun >= 5 || rarePairs >= 2 || Double(vowels) / Double(letters) < 0.15
    }

    /// Letter pairs English words do not use, as a 26 × 26 table.
    static let rare: [Bool] = {
        var table = [Bool](repeating: false, count: 26 * 26)
        let pairs = ["qz", "qx", "qj", "qk", "qg", "qv", "qw", "qy", "zx", "xz", "jx", "xj", "vq", "jq", "fq", "kq",
                     "wq", "zq", "qh", "qf", "qp", "qd", "qs", "qc", "qb", "qm", "qn", "qt", "qr", "ql", "vj", "jv",
                     "jz", "zj", "vx", "xv", "kx", "xk", "gx", "xg", "cx", "fx", "xf", "vw", "wv", "bx", "pq", "qq",
                     "jj", "vv", "kz", "zk", "hx", "xh", "jw", "wj", "fz", "zf", "jk", "kj", "jg", "gj", "bq", "xq"]
        for pair in pairs {
            let bytes = Array(pair.utf8)
            table[Int(bytes[0] - 0x61) * 26 + Int(bytes[1] - 0x61)] = true
        }
        return table
    }()
}
