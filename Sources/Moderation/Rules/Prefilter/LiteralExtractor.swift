/// Finds literal strings a pattern needs: any text the pattern matches contains at least one of them.
///
/// It understands the common parts of PCRE2 syntax (literals, escapes, classes, groups, alternation,
/// quantifiers, assertions). Whatever it does not understand makes it give up, and a rule without
/// required literals simply always runs: the prefilter can skip a rule, never change what it matches.
enum LiteralExtractor {
    /// The shortest literal worth prefiltering on.
    static let minimumLength = 3
    /// Largest set of alternatives tracked for one part of a pattern.
    static let maximumSetSize = 64

    /// Lower-cased ASCII literals such that every match contains one; `nil` when there is no usable set.
    static func requiredLiterals(_ source: String) -> [String]? {
        var parser = Parser(Array(source.unicodeScalars))
        guard let info = parser.parseAlternation(), parser.isAtEnd, let best = info.best, !best.isEmpty else { return nil }
        // Any part of a required literal is required too: keep each one's longest ASCII run, so that
        // a curly apostrophe in "hanging’s" does not cost the rule its prefilter.
        let factors = Set(best.map(asciiCore))
        guard factors.allSatisfy({ selectivity(of: $0) >= minimumLength && !$0.contains(digit) }) else { return nil }
        return factors.sorted()
    }

    /// Characters rare enough in comments that one of them alone is worth prefiltering on, as the `@`
    /// of an address or the `*` of a starred-out word.
    static let rareMarks: Set<Unicode.Scalar> = ["@", "#", "$", "%", "*", "+", "=", "^", "_", "~", "|", "<", ">", "[", "]", "{", "}", "\\"]

    /// The longest run of ASCII characters in a literal (the first, when several are as long).
    static func asciiCore(_ literal: String) -> String {
        var best = Substring()
        var start: String.Index?
        for index in literal.indices {
            if literal[index].isASCII {
                if start == nil { start = index }
            } else if let runStart = start {
                if literal[runStart..<index].count > best.count { best = literal[runStart..<index] }
                start = nil
            }
        }
        if let runStart = start, literal[runStart...].count > best.count { best = literal[runStart...] }
        return String(best)
    }

    /// How selective a literal is, in characters: its length, or at least the minimum when it has a rare mark.
    static func selectivity(of literal: String) -> Int {
        literal.unicodeScalars.contains(where: rareMarks.contains) ? max(literal.count, minimumLength) : literal.count
    }

    /// Stands for "any digit" in factor sets.
    static let digit = "\u{1}"

    /// Whether every match of the pattern contains a digit (so text without digits cannot match).
    static func requiresDigit(_ source: String) -> Bool {
        var parser = Parser(Array(source.unicodeScalars))
        guard let info = parser.parseAlternation(), parser.isAtEnd else { return false }
        // Any required factor set made only of digit markers, or of literals that each contain a digit.
        func digitOnly(_ set: Set<String>?) -> Bool {
            guard let set, !set.isEmpty else { return false }
            return set.allSatisfy { $0.contains(digit) || $0.unicodeScalars.contains { $0.properties.numericType == .decimal } }
        }
        return info.needsDigit || digitOnly(info.factors) || digitOnly(info.exact.flatMap { $0.contains("") ? nil : $0 })
    }

    /// What is known about a piece of pattern.
    struct Info {
        /// Every string the piece can match, when that set is small and known.
        var exact: Set<String>?
        /// A set of strings one of which is in every match of the piece.
        var factors: Set<String>?
        /// Every match of the piece contains a decimal digit.
        var needsDigit = false

        static let unknown = Info(exact: nil, factors: nil)
        static let empty = Info(exact: [""], factors: nil)

        /// The better of the exact set and the factor set.
        var best: Set<String>? {
            Info.better(exact.flatMap { $0.contains("") ? nil : $0 }, factors)
        }

        static func quality(_ set: Set<String>) -> (Int, Int) {
            (set.map(LiteralExtractor.selectivity(of:)).min() ?? 0, -set.count)
        }

        static func better(_ a: Set<String>?, _ b: Set<String>?) -> Set<String>? {
            guard let a else { return b }
            guard let b else { return a }
            return quality(a) >= quality(b) ? a : b
        }
    }

    struct Parser {
        let chars: [Unicode.Scalar]
        var position = 0

        init(_ chars: [Unicode.Scalar]) { self.chars = chars }

        var isAtEnd: Bool { position >= chars.count }

        func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            position + offset < chars.count ? chars[position + offset] : nil
        }

        mutating func parseAlternation() -> Info? {
            var branches: [Info] = []
            while true {
                guard let branch = parseSequence() else { return nil }
                branches.append(branch)
                if peek() == "|" { position += 1; continue }
                break
            }
            if branches.count == 1 { return branches[0] }
            var exact: Set<String>? = []
            var factors: Set<String>? = []
            for branch in branches {
                if let e = branch.exact, let current = exact { exact = current.union(e) } else { exact = nil }
                if let f = branch.best, let current = factors { factors = current.union(f) } else { factors = nil }
            }
            if let e = exact, e.count > maximumSetSize { exact = nil }
            if let f = factors, f.count > maximumSetSize { factors = nil }
            return Info(exact: exact, factors: factors, needsDigit: branches.allSatisfy(\.needsDigit))
        }

        mutating func parseSequence() -> Info? {
            // `running` is the exact set of the current run of exact atoms; `best` the best factor set seen.
            var running: Set<String> = [""]
            var best: Set<String>? = nil
            var allExact = true
            var needsDigit = false
            func flush(_ set: Set<String>) {
                if !set.contains("") { best = Info.better(best, set) }
            }
            while let char = peek(), char != "|", char != ")" {
                guard var atom = parseAtom() else { return nil }
                if let quantifier = parseQuantifier() {
                    if quantifier.min == 0 {
                        atom = quantifier.max == 1 && atom.exact != nil ? Info(exact: atom.exact!.union([""]), factors: nil) : .unknown
                    } else if !(quantifier.min == 1 && quantifier.max == 1) {
                        atom = Info(exact: nil, factors: atom.best, needsDigit: atom.needsDigit)
                    }
                }
                needsDigit = needsDigit || atom.needsDigit
                best = Info.better(best, atom.best)
                guard let exact = atom.exact else {
                    allExact = false
                    flush(running)
                    running = [""]
                    continue
                }
                var product: Set<String> = []
                for a in running { for b in exact { product.insert(a + b) } }
                if product.count <= maximumSetSize {
                    running = product
                } else {
                    allExact = false
                    flush(running)
                    running = exact
                }
            }
            flush(running)
            return Info(exact: allExact ? running : nil, factors: best, needsDigit: needsDigit)
        }

        mutating func parseAtom() -> Info? {
            guard let char = peek() else { return nil }
            position += 1
            switch char {
            case "\\":
                return parseEscape()
            case "[":
                return parseClass()
            case "(":
                return parseGroup()
            case ".":
                return .unknown
            case "^", "$":
                return .empty
            case "*", "+", "?", "{":
                // A quantifier with nothing before it: not a pattern we understand.
                return nil
            default:
                return literal(char)
            }
        }

        func literal(_ char: Unicode.Scalar) -> Info {
            // The "any digit" marker cannot stand for itself.
            if String(char) == LiteralExtractor.digit { return .unknown }
            let text = String(char).lowercased()
            return Info(exact: [text], factors: [text], needsDigit: char.properties.numericType == .decimal)
        }

        mutating func parseEscape() -> Info? {
            guard let char = peek() else { return nil }
            position += 1
            switch char {
            case "b", "B", "A", "z", "Z", "G", "K":
                return .empty
            case "d":
                // A digit: weaker than any literal, but enough to skip a rule on text without digits.
                return Info(exact: nil, factors: [LiteralExtractor.digit], needsDigit: true)
            case "D", "w", "W", "s", "S", "h", "H", "v", "V", "R", "X", "N", "C":
                return .unknown
            case "p", "P":
                if peek() == "{" {
                    while let c = peek(), c != "}" { position += 1 }
                    position += 1
                } else {
                    position += 1
                }
                return .unknown
            case "n": return literal("\n")
            case "t": return literal("\t")
            case "r": return literal("\r")
            case "x":
                var digits = ""
                if peek() == "{" {
                    position += 1
                    while let c = peek(), c != "}" { digits.unicodeScalars.append(c); position += 1 }
                    position += 1
                } else {
                    for _ in 0..<2 { if let c = peek(), c.properties.isASCIIHexDigit { digits.unicodeScalars.append(c); position += 1 } }
                }
                guard let value = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(value) else { return nil }
                return literal(scalar)
            case "Q", "E", "g", "k", "c", "o", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9":
                return nil
            default:
                if char.properties.isAlphabetic { return nil }
                return literal(char)
            }
        }

        mutating func parseClass() -> Info? {
            // Small classes of single characters ([sz], [\x27’]) are exact; anything else is unknown.
            var members: Set<String> = []
            var simple = true
            // Whether every member is a decimal digit ([0-9], [\d]).
            var onlyDigits = true
            func isDigit(_ scalar: Unicode.Scalar?) -> Bool { scalar.map { $0.properties.numericType == .decimal } ?? false }
            func isASCIIDigit(_ scalar: Unicode.Scalar?) -> Bool { scalar.map { $0.value >= 0x30 && $0.value <= 0x39 } ?? false }
            if peek() == "^" { simple = false; onlyDigits = false; position += 1 }
            if peek() == "]" { members.insert("]"); position += 1 }
            while let c = peek(), c != "]" {
                position += 1
                if c == "\\" {
                    guard let next = peek() else { return nil }
                    position += 1
                    if next == "x" {
                        var digits = ""
                        if peek() == "{" {
                            position += 1
                            while let d = peek(), d != "}" { digits.unicodeScalars.append(d); position += 1 }
                            position += 1
                        } else {
                            for _ in 0..<2 { if let d = peek(), d.properties.isASCIIHexDigit { digits.unicodeScalars.append(d); position += 1 } }
                        }
                        if let value = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(value) {
                            members.insert(String(scalar).lowercased())
                            onlyDigits = onlyDigits && isDigit(scalar)
                        } else { simple = false; onlyDigits = false }
                        if peek() == "-" && peek(1) != "]" && peek(1) != nil {
                            // An escaped character starting a range ([\x30-\x39]): not a set of single characters.
                            simple = false
                            onlyDigits = false
                        }
                    } else if next.properties.isAlphabetic || next.properties.numericType != nil {
                        simple = false
                        onlyDigits = onlyDigits && next == "d"
                    } else {
                        members.insert(String(next))
                        onlyDigits = false
                    }
                } else if c == "[" && peek() == ":" {
                    simple = false
                    onlyDigits = false
                    while let d = peek(), d != "]" { position += 1 }
                    position += 1
                } else if peek() == "-" && peek(1) != "]" && peek(1) != nil {
                    simple = false
                    // Only a range within 0-9 is all digits: [0-９] spans every ASCII letter.
                    onlyDigits = onlyDigits && isASCIIDigit(c) && isASCIIDigit(peek(1))
                    position += 2
                } else {
                    members.insert(String(c).lowercased())
                    onlyDigits = onlyDigits && isDigit(c)
                }
            }
            guard peek() == "]" else { return nil }
            position += 1
            if simple && !members.isEmpty && members.count <= 6 {
                return Info(exact: members, factors: members, needsDigit: onlyDigits)
            }
            return Info(exact: nil, factors: nil, needsDigit: onlyDigits)
        }

        mutating func parseGroup() -> Info? {
            var lookaround = false
            if peek() == "?" {
                position += 1
                guard let kind = peek() else { return nil }
                switch kind {
                case ":", ">", "|":
                    position += 1
                case "=", "!":
                    position += 1
                    lookaround = true
                case "<":
                    if peek(1) == "=" || peek(1) == "!" {
                        position += 2
                        lookaround = true
                    } else {
                        while let c = peek(), c != ">" { position += 1 }
                        position += 1
                    }
                case "P":
                    position += 1
                    guard peek() == "<" else { return nil }
                    while let c = peek(), c != ">" { position += 1 }
                    position += 1
                case "'":
                    position += 1
                    while let c = peek(), c != "'" { position += 1 }
                    position += 1
                case "#":
                    while let c = peek(), c != ")" { position += 1 }
                    position += 1
                    return .empty
                default:
                    // Inline options such as (?i) or (?i:...). Extended mode changes the syntax: give up.
                    // So does anything that is not an option: subroutine calls (?1) (?R) (?&name) (?+1),
                    // callouts (?C), and the like.
                    var flags = ""
                    while let c = peek(), c != ")" && c != ":" { flags.unicodeScalars.append(c); position += 1 }
                    if flags.contains("x") { return nil }
                    guard flags.unicodeScalars.allSatisfy({ "imnsJU-^".unicodeScalars.contains($0) }) else { return nil }
                    guard let end = peek() else { return nil }
                    position += 1
                    if end == ")" { return .empty }
                }
            }
            guard let inner = parseAlternation(), peek() == ")" else { return nil }
            position += 1
            return lookaround ? .empty : inner
        }

        mutating func parseQuantifier() -> (min: Int, max: Int?)? {
            guard let char = peek() else { return nil }
            var result: (Int, Int?)
            switch char {
            case "*": result = (0, nil); position += 1
            case "+": result = (1, nil); position += 1
            case "?": result = (0, 1); position += 1
            case "{":
                var cursor = position + 1
                var text = ""
                while cursor < chars.count, chars[cursor] != "}" { text.unicodeScalars.append(chars[cursor]); cursor += 1 }
                let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                guard cursor < chars.count, let low = Int(parts.first ?? ""), parts.count <= 2 else { return nil }
                let high: Int? = parts.count == 1 ? low : Int(parts[1])
                result = (low, high)
                position = cursor + 1
            default:
                return nil
            }
            if let next = peek(), next == "?" || next == "+" { position += 1 }
            return result
        }
    }
}
