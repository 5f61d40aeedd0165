import PCRE2

/// Confirms payment card numbers with the Luhn checksum, so "order 1234 5678 9012 3456" is not taken
/// for a card but a real card number posted in a comment is held before it is published.
public struct PaymentCardHeuristic: Heuristic {
    // 13 to 19 digits, optionally grouped by single spaces or dashes.
    private static let candidate = try! Pattern(#"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])"#)

    public init() {}

    public func evaluate(_ analysis: CommentAnalysis) -> [Signal] {
        let body = analysis.comment.body
        var digitCount = 0
        for byte in body.utf8 where byte >= 0x30 && byte <= 0x39 {
            digitCount += 1
            if digitCount >= 13 { break }
        }
        guard digitCount >= 13, let matches = try? Self.candidate.allMatches(in: body, limit: 20, scratch: analysis.scratch) else { return [] }
        for match in matches {
            let digits = body[match.range].compactMap(\.wholeNumberValue)
            guard Self.passesLuhn(digits), Set(digits).count > 1 else { continue }
            let span = Span(field: .body, utf8Start: match.utf8Range.lowerBound, utf8End: match.utf8Range.upperBound, text: String(body[match.range]))
            return [Signal(source: .heuristic, name: "personal.payment_card", score: 0, action: .hold,
                           explanation: "Contains what looks like a payment card number (\(digits.count) digits, valid checksum); held so it is not published",
                           span: span)]
        }
        return []
    }

    /// The Luhn checksum used by payment card numbers.
    public static func passesLuhn(_ digits: [Int]) -> Bool {
        guard digits.count >= 12 else { return false }
        var sum = 0
        for (position, digit) in digits.reversed().enumerated() {
            if position % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }
}
