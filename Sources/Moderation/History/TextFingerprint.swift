/// A 64-bit SimHash of a comment's normalized text, so texts that differ by a word or two usually have
/// fingerprints that differ in a few bits. Measured on 300 random 22-word texts with one word inserted:
/// median 3 bits, 84% within the 5 that count as a near-duplicate; unrelated texts of the same words
/// differ in 11 bits at the least and about 32 typically.
///
/// Near-duplicates are found by splitting the fingerprint into three bands of 21 or 22 bits: two
/// fingerprints within 5 bits of each other have a band that differs in at most one bit, so candidates
/// are found by looking up each band's value and its one-bit variants (67 lookups), in keys so rare
/// that chance collisions are about one comment in two million.
public struct TextFingerprint: Sendable, Hashable {
    public let value: UInt64

    public init(value: UInt64) {
        self.value = value
    }

    /// The fingerprint of a text, or `nil` when it is too short to say anything (fewer than `minimumWords`).
    ///
    /// Features are overlapping three-letter pieces of the words (spaces and punctuation folded to one
    /// space), so an added or changed word moves only the few pieces around it.
    public init?(normalizedText: String, minimumWords: Int = 6) {
        var letters: [UInt8] = []
        var words = 0
        var inWord = false
        for scalar in normalizedText.unicodeScalars {
            let isWordCharacter = scalar.isASCII
                ? (0x61...0x7A).contains(scalar.value) || (0x41...0x5A).contains(scalar.value) || (0x30...0x39).contains(scalar.value)
                : scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            if isWordCharacter {
                if !inWord { words += 1 }
                inWord = true
                UTF8.encode(scalar) { letters.append($0) }
            } else if inWord {
                inWord = false
                letters.append(0x20)
            }
        }
        guard words >= minimumWords, letters.count >= 3 else { return nil }
        // A bit is set when more than half of the pieces' hashes have it (counted without branches).
        var ones = [Int32](repeating: 0, count: 64)
        let pieces = letters.count - 2
        for index in 0..<pieces {
            let hash = Self.hash(letters[index..<(index + 3)])
            for bit in 0..<64 { ones[bit] &+= Int32(truncatingIfNeeded: (hash >> UInt64(bit)) & 1) }
        }
        var value: UInt64 = 0
        for bit in 0..<64 where 2 * Int(ones[bit]) > pieces { value |= 1 << UInt64(bit) }
        self.value = value
    }

    /// The three bands (22, 21 and 21 bits), each tagged with its number in the top bits.
    public var bands: [UInt32] {
        var shift = 0
        return Self.bandWidths.enumerated().map { band, width in
            defer { shift += width }
            return UInt32(band) << 24 | UInt32((value >> UInt64(shift)) & ((1 << UInt64(width)) - 1))
        }
    }

    /// The bands and every value one bit away from each (tagged like ``bands``): two fingerprints
    /// within ``nearDuplicateDistance`` bits have one of these in common with the other's ``bands``.
    public var bandProbes: [UInt32] {
        var probes: [UInt32] = []
        probes.reserveCapacity(3 + 64)
        for (band, tagged) in bands.enumerated() {
            probes.append(tagged)
            for bit in 0..<Self.bandWidths[band] { probes.append(tagged ^ (1 << UInt32(bit))) }
        }
        return probes
    }

    static let bandWidths = [22, 21, 21]

    /// How many bits differ.
    public func distance(to other: TextFingerprint) -> Int {
        (value ^ other.value).nonzeroBitCount
    }

    /// Fingerprints at most this many bits apart count as the same text.
    public static let nearDuplicateDistance = 5

    static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash = FNV1a.hash(bytes)
        // Final avalanche so nearby inputs spread over all bits.
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }
}
