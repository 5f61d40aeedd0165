/// How a comment becomes the sparse vector the model reads. Stored in every model file, so a model is
/// always read with the features it was trained on.
public struct FeatureSettings: Sendable, Equatable, Codable {
    /// The vector has `1 << hashBits` slots; every feature is hashed into one of them.
    public var hashBits: Int = 20
    /// Character n-grams are taken inside each word padded with a space on either side (` idiot `),
    /// from this length up to `characterMaximum`, so a misspelt or obfuscated word still shares most of
    /// its pieces with the real one.
    public var characterMinimum: Int = 3
    public var characterMaximum: Int = 5
    /// Words longer than this (in characters) give no character n-grams (a 500-letter "word" is noise).
    public var longestWord: Int = 40

    public init() {}

    enum CodingKeys: String, CodingKey {
        case hashBits = "hash_bits"
        case characterMinimum = "character_minimum"
        case characterMaximum = "character_maximum"
        case longestWord = "longest_word"
    }

    var slotMask: UInt32 { UInt32((1 << hashBits) - 1) }
}

/// One word of the normalized body, with where it lies in the normalized text.
struct ModelWord {
    var text: Substring
    /// UTF-8 offsets in the normalized text.
    var range: Range<Int>
}

/// A comment as the model reads it: sorted slot indices with their values, in three groups (words and
/// word pairs, character n-grams, facts about the comment), each group scaled to unit length so long
/// and short comments weigh alike.
public struct FeatureVector: Sendable, Equatable {
    public var slots: [UInt32] = []
    public var values: [Float] = []

    public init() {}

    public init(slots: [UInt32], values: [Float]) {
        self.slots = slots
        self.values = values
    }
}

/// Turns a comment into features. Everything here is linear in the text (one pass per word).
public enum ModelFeatures {
    /// The words of a normalized text: runs of letters, digits and inner apostrophes.
    static func words(of text: String) -> [ModelWord] {
        var words: [ModelWord] = []
        let utf8 = text.utf8
        var offset = 0
        var start: Int?
        var startIndex = text.startIndex
        var index = text.unicodeScalars.startIndex
        let scalars = text.unicodeScalars
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let isWordPart: Bool
            if scalar.isASCII {
                let value = scalar.value
                isWordPart = (value >= 0x61 && value <= 0x7A) || (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A) || value == 0x27
            } else {
                isWordPart = scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            }
            if isWordPart {
                if start == nil { start = offset; startIndex = index }
            } else if let wordStart = start {
                append(text[startIndex..<index], wordStart..<offset)
                start = nil
            }
            offset += UTF8.width(scalar)
            index = scalars.index(after: index)
        }
        if let wordStart = start { append(text[startIndex...], wordStart..<utf8.count) }
        return words

        func append(_ word: Substring, _ range: Range<Int>) {
            // Apostrophes at either end are quotation marks, not part of the word.
            var word = word
            var range = range
            while word.first == "'" { word = word.dropFirst(); range = (range.lowerBound + 1)..<range.upperBound }
            while word.last == "'" { word = word.dropLast(); range = range.lowerBound..<(range.upperBound - 1) }
            if !word.isEmpty { words.append(ModelWord(text: word, range: range)) }
        }
    }

    /// The slot of a word feature (`w` + word) or word pair (`b` + first + space + second).
    @inline(__always)
    static func wordSlot(_ word: Substring, _ settings: FeatureSettings) -> UInt32 {
        var hash = FNV1a.offsetBasis
        hash = (hash ^ 0x77) &* FNV1a.prime
        for byte in word.utf8 { hash = (hash ^ UInt64(byte)) &* FNV1a.prime }
        return fold(hash, settings)
    }

    @inline(__always)
    static func pairSlot(_ first: Substring, _ second: Substring, _ settings: FeatureSettings) -> UInt32 {
        var hash = FNV1a.offsetBasis
        hash = (hash ^ 0x62) &* FNV1a.prime
        for byte in first.utf8 { hash = (hash ^ UInt64(byte)) &* FNV1a.prime }
        hash = (hash ^ 0x20) &* FNV1a.prime
        for byte in second.utf8 { hash = (hash ^ UInt64(byte)) &* FNV1a.prime }
        return fold(hash, settings)
    }

    static func metaSlot(_ name: String, _ settings: FeatureSettings) -> UInt32 {
        var hash = FNV1a.offsetBasis
        hash = (hash ^ 0x6D) &* FNV1a.prime
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* FNV1a.prime }
        return fold(hash, settings)
    }

    @inline(__always)
    static func fold(_ hash: UInt64, _ settings: FeatureSettings) -> UInt32 {
        UInt32(truncatingIfNeeded: (hash >> 32) ^ hash) & settings.slotMask
    }

    /// The character n-grams of one word padded with spaces, as slots, passed to `body`. Each start
    /// position is hashed once, extending the hash a character at a time (FNV-1a of `c` and the bytes),
    /// and every length from the minimum to the maximum is taken from that one pass, with the length
    /// mixed in at the end.
    @inline(__always)
    static func characterSlots(_ word: Substring, _ settings: FeatureSettings, _ body: (UInt32) -> Void) {
        let minimum = settings.characterMinimum
        let maximum = settings.characterMaximum
        let ascii = word.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return false }
            let count = bytes.count + 2
            guard count - 2 <= settings.longestWord else { return true }
            @inline(__always) func byte(_ position: Int) -> UInt8 { position == 0 || position == count - 1 ? 0x20 : bytes[position - 1] }
            for first in 0..<count {
                var hash = (FNV1a.offsetBasis ^ 0x63) &* FNV1a.prime
                var length = 0
                while length < maximum, first + length < count {
                    hash = (hash ^ UInt64(byte(first + length))) &* FNV1a.prime
                    length += 1
                    if length >= minimum { body(fold((hash ^ UInt64(length)) &* FNV1a.prime, settings)) }
                }
            }
            return true
        }
        if ascii == true { return }
        // Any script: the same over the UTF-8 bytes, a character being one Unicode scalar.
        var bytes: [UInt8] = [0x20]
        var boundaries: [Int] = [0]
        for scalar in word.unicodeScalars {
            boundaries.append(bytes.count)
            UTF8.encode(scalar) { bytes.append($0) }
        }
        boundaries.append(bytes.count)
        bytes.append(0x20)
        boundaries.append(bytes.count)
        let characters = boundaries.count - 1
        guard characters - 2 <= settings.longestWord else { return }
        for first in 0..<characters {
            var hash = (FNV1a.offsetBasis ^ 0x63) &* FNV1a.prime
            var length = 0
            while length < maximum, first + length < characters {
                for position in boundaries[first + length]..<boundaries[first + length + 1] {
                    hash = (hash ^ UInt64(bytes[position])) &* FNV1a.prime
                }
                length += 1
                if length >= minimum { body(fold((hash ^ UInt64(length)) &* FNV1a.prime, settings)) }
            }
        }
    }

    /// The facts about a comment the model weighs beside its words.
    static func metaNames(body: String, words: Int, links: Int, rating: Int?) -> [String] {
        var names: [String] = []
        switch links {
        case 0: break
        case 1: names.append("links:1")
        default: names.append("links:2+")
        }
        var letters = 0
        var capitals = 0
        for scalar in body.unicodeScalars where scalar.isASCII {
            if scalar.value >= 0x41 && scalar.value <= 0x5A { letters += 1; capitals += 1 } else if scalar.value >= 0x61 && scalar.value <= 0x7A { letters += 1 }
        }
        if letters >= 12, capitals * 10 >= letters * 7 { names.append("shouting") }
        names.append("words:" + lengthBucket(words))
        if let rating, (1...5).contains(rating) {
            names.append("rating:\(rating)")
            // The rating beside the comment's length: a one-word 1-star comment and a long 5-star one
            // say different things. The shipped data has no ratings; a site's layer learns these.
            names.append("rating:\(rating):words:" + lengthBucket(words))
        }
        return names
    }

    static func lengthBucket(_ count: Int) -> String {
        switch count {
        case 0: "0"
        case 1...3: "1-3"
        case 4...7: "4-7"
        case 8...15: "8-15"
        case 16...31: "16-31"
        case 32...127: "32-127"
        default: "128+"
        }
    }

    /// The vector for a normalized text and the facts about it.
    public static func vector(normalized: String, body: String, links: Int, rating: Int?, settings: FeatureSettings) -> FeatureVector {
        let words = Self.words(of: normalized)
        return vector(words: words, body: body, links: links, rating: rating, settings: settings)
    }

    static func vector(words: [ModelWord], body: String, links: Int, rating: Int?, settings: FeatureSettings) -> FeatureVector {
        var wordSlots: [UInt32] = []
        wordSlots.reserveCapacity(words.count * 2)
        var characterSlots: [UInt32] = []
        characterSlots.reserveCapacity(words.count * 12)
        for (index, word) in words.enumerated() {
            wordSlots.append(wordSlot(word.text, settings))
            if index > 0 { wordSlots.append(pairSlot(words[index - 1].text, word.text, settings)) }
            Self.characterSlots(word.text, settings) { characterSlots.append($0) }
        }
        let metaSlots = metaNames(body: body, words: words.count, links: links, rating: rating).map { metaSlot($0, settings) }
        return combine([(unique(wordSlots), true), (unique(characterSlots), true), (unique(metaSlots), false)])
    }

    /// The distinct slots in ascending order, in linear time (a radix sort, 8 bits a pass): a sort by
    /// comparison would grow faster than the text.
    static func unique(_ slots: [UInt32]) -> [UInt32] {
        guard slots.count > 1 else { return slots }
        var sorted = slots
        var buffer = [UInt32](repeating: 0, count: slots.count)
        let largest = slots.max()!
        var shift: UInt32 = 0
        while shift < 32, largest >> shift != 0 {
            var counts = [Int](repeating: 0, count: 257)
            for slot in sorted { counts[Int((slot >> shift) & 0xFF) + 1] += 1 }
            for index in 1..<257 { counts[index] += counts[index - 1] }
            for slot in sorted {
                let bucket = Int((slot >> shift) & 0xFF)
                buffer[counts[bucket]] = slot
                counts[bucket] += 1
            }
            swap(&sorted, &buffer)
            shift += 8
        }
        var write = 1
        for read in 1..<sorted.count where sorted[read] != sorted[write - 1] {
            sorted[write] = sorted[read]
            write += 1
        }
        sorted.removeLast(sorted.count - write)
        return sorted
    }

    /// Merges groups of sorted unique slots into one vector, in linear time; a scaled group's values
    /// are 1/√n, and a slot in two groups adds both.
    static func combine(_ groups: [(slots: [UInt32], scaled: Bool)]) -> FeatureVector {
        var vector = FeatureVector()
        let total = groups.reduce(0) { $0 + $1.slots.count }
        vector.slots.reserveCapacity(total)
        vector.values.reserveCapacity(total)
        let values = groups.map { group -> Float in group.scaled && !group.slots.isEmpty ? 1 / Float(group.slots.count).squareRoot() : 1 }
        var positions = [Int](repeating: 0, count: groups.count)
        while true {
            var smallest: UInt32?
            for (index, group) in groups.enumerated() where positions[index] < group.slots.count {
                let slot = group.slots[positions[index]]
                if smallest == nil || slot < smallest! { smallest = slot }
            }
            guard let slot = smallest else { break }
            var value: Float = 0
            for (index, group) in groups.enumerated() where positions[index] < group.slots.count && group.slots[positions[index]] == slot {
                value += values[index]
                positions[index] += 1
            }
            vector.slots.append(slot)
            vector.values.append(value)
        }
        return vector
    }
}
