/// A 64-bit SimHash of a comment's normalized words, so texts that differ by a word or two have
/// fingerprints that differ in a few bits.
///
/// Near-duplicates are found by splitting the fingerprint into four 16-bit bands: two fingerprints
/// within 3 bits of each other share at least one whole band, so the store can find candidates with
/// indexed equality lookups.
public struct TextFingerprint: Sendable, Hashable {
    public let value: UInt64

    public init(value: UInt64) {
        self.value = value
    }

    /// The fingerprint of a text, or `nil` when it is too short to say anything (fewer than `minimumWords`).
    public init?(normalizedText: String, minimumWords: Int = 6) {
        var words: [Substring] = []
        for word in normalizedText.split(whereSeparator: { !($0.isLetter || $0.isNumber) }) where word.count >= 2 {
            words.append(word)
        }
        guard words.count >= minimumWords else { return nil }
        // Shingles of two words keep word order; each votes on every bit.
        var votes = [Int](repeating: 0, count: 64)
        for index in 0..<(words.count - 1) {
            let hash = Self.hash(words[index], words[index + 1])
            for bit in 0..<64 {
                votes[bit] += (hash >> UInt64(bit)) & 1 == 1 ? 1 : -1
            }
        }
        var value: UInt64 = 0
        for bit in 0..<64 where votes[bit] > 0 { value |= 1 << UInt64(bit) }
        self.value = value
    }

    /// The four 16-bit bands, as signed integers for SQLite.
    public var bands: [Int64] {
        (0..<4).map { Int64((value >> UInt64($0 * 16)) & 0xFFFF) }
    }

    /// How many bits differ.
    public func distance(to other: TextFingerprint) -> Int {
        (value ^ other.value).nonzeroBitCount
    }

    /// Fingerprints at most this many bits apart count as the same text.
    public static let nearDuplicateDistance = 3

    static func hash(_ a: Substring, _ b: Substring) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in a.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ 0x20) &* 0x100_0000_01b3
        for byte in b.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        // Final avalanche so nearby inputs spread over all bits.
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }
}
