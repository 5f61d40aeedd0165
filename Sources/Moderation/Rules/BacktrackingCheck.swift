/// A static look at a pattern for shapes prone to catastrophic backtracking.
///
/// It flags an unbounded quantifier applied to a group that itself contains an unbounded quantifier
/// (`(a+)+`, `(\w*\s?)*`), and two adjacent unbounded quantifiers over overlapping atoms (`\w+\w*`,
/// `.*.*`). These are warnings, not errors: the match limit still bounds such a pattern at run time,
/// but it will hit the limit (and hold comments) on long input.
enum BacktrackingCheck {
    static func warnings(for rule: Rule) -> [RuleLoadError] {
        findings(in: rule.pattern?.source ?? "").map {
            RuleLoadError(rule.location, ruleID: rule.id, "warning: \($0); the pattern may backtrack catastrophically on long input")
        }
    }

    /// Plain-English findings for a pattern source.
    static func findings(in source: String) -> [String] {
        let chars = Array(source)
        var findings: [String] = []
        // For each open group: whether it contains an unbounded quantifier.
        var groupStack: [Bool] = []
        var previousAtom: (text: String, unbounded: Bool)?
        var index = 0

        func quantifier(at position: Int) -> (unbounded: Bool, length: Int)? {
            guard position < chars.count else { return nil }
            switch chars[position] {
            case "+", "*":
                var length = 1
                if position + 1 < chars.count, "+?".contains(chars[position + 1]) { length += 1 }
                return (true, length)
            case "?":
                return (false, 1)
            case "{":
                guard let close = chars[position...].firstIndex(of: "}") else { return nil }
                let body = String(chars[(position + 1)..<close])
                guard body.allSatisfy({ $0.isNumber || $0 == "," }), !body.isEmpty else { return nil }
                return (body.hasSuffix(","), close - position + 1)
            default:
                return nil
            }
        }

        while index < chars.count {
            let char = chars[index]
            var atom: String
            switch char {
            case "\\":
                atom = index + 1 < chars.count ? String(chars[index...(index + 1)]) : "\\"
                index += 2
            case "[":
                var end = index + 1
                if end < chars.count, chars[end] == "^" { end += 1 }
                if end < chars.count, chars[end] == "]" { end += 1 }
                while end < chars.count, chars[end] != "]" {
                    if chars[end] == "\\" { end += 1 }
                    end += 1
                }
                atom = String(chars[index...min(end, chars.count - 1)])
                index = end + 1
            case "(":
                groupStack.append(false)
                previousAtom = nil
                index += 1
                continue
            case ")":
                let containsUnbounded = groupStack.popLast() ?? false
                index += 1
                if let quantifier = quantifier(at: index) {
                    if quantifier.unbounded && containsUnbounded {
                        findings.append("a repeated group contains an unbounded repeat (nested quantifiers)")
                    }
                    if quantifier.unbounded, !groupStack.isEmpty { groupStack[groupStack.count - 1] = true }
                    index += quantifier.length
                }
                if containsUnbounded, !groupStack.isEmpty { groupStack[groupStack.count - 1] = true }
                previousAtom = nil
                continue
            case "|":
                previousAtom = nil
                index += 1
                continue
            default:
                atom = String(char)
                index += 1
            }
            if let quantifier = quantifier(at: index) {
                index += quantifier.length
                if quantifier.unbounded {
                    if !groupStack.isEmpty { groupStack[groupStack.count - 1] = true }
                    if let previous = previousAtom, previous.unbounded, overlap(previous.text, atom) {
                        findings.append("adjacent unbounded repeats of `\(previous.text)` and `\(atom)` can match the same text")
                    }
                }
                previousAtom = (atom, quantifier.unbounded)
            } else {
                previousAtom = (atom, false)
            }
        }
        return Array(Set(findings)).sorted()
    }

    /// Whether two atoms can match a common character (a conservative guess).
    static func overlap(_ a: String, _ b: String) -> Bool {
        let wide: Set<String> = [".", "\\S", "\\w", "\\W", "\\X", "\\N"]
        if wide.contains(a) || wide.contains(b) {
            // \s and \w do not overlap; everything else with a wide class does.
            let pair = Set([a, b])
            return !(pair == ["\\s", "\\w"] || pair == ["\\s", "\\S"] || pair == ["\\w", "\\W"] || pair == ["\\d", "\\W"])
        }
        return a == b
    }
}
