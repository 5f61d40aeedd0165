import Foundation
@testable import Moderation
import Testing

/// The fingerprint against the plain SimHash definition it optimizes: votes of +1 and -1 per piece,
/// letters and digits found through Unicode properties.
@Suite struct TextFingerprintTests {
    static func reference(_ text: String, minimumWords: Int = 6) -> UInt64? {
        var letters: [UInt8] = []
        var words = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                if !inWord { words += 1 }
                inWord = true
                UTF8.encode(scalar) { letters.append($0) }
            } else if inWord {
                inWord = false
                letters.append(0x20)
            }
        }
        guard words >= minimumWords, letters.count >= 3 else { return nil }
        var votes = [Int](repeating: 0, count: 64)
        for index in 0..<(letters.count - 2) {
            let hash = TextFingerprint.hash(letters[index..<(index + 3)])
            for bit in 0..<64 { votes[bit] += (hash >> UInt64(bit)) & 1 == 1 ? 1 : -1 }
        }
        var value: UInt64 = 0
        for bit in 0..<64 where votes[bit] > 0 { value |= 1 << UInt64(bit) }
        return value
    }

    @Test func matchesTheDefinition() {
        let words = ["the", "harbour", "wall", "café", "naïve", "東京", "2026", "x_y", "don't", "£5", "ÆSIR", "Zoë", "١٢٣", "a", "👍", "--"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let text = (0..<Int.random(in: 0...30, using: &generator)).map { _ in words.randomElement(using: &generator)! }
                .joined(separator: [" ", ", ", "! ", "\n"].randomElement(using: &generator)!)
            #expect(TextFingerprint(normalizedText: text)?.value == Self.reference(text), "\(text)")
        }
    }
}
