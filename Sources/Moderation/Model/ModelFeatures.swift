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

/// A comment as the model reads it: slot indices with their values, in three groups (words and word
/// pairs, character n-grams, facts about the comment), each group's distinct slots in the order they
/// first appear and scaled to unit length, so long and short comments weigh alike.
public struct FeatureVector: Sendable, Equatable {
    public var slots: [UInt32] = []
    public var values: [Float] = []

    public init() {}

    public init(slots: [UInt32], values: [Float]) {
        self.slots = slots
        self.values = values
    }
}

/// The slots each word of a comment gave, in order, and the values its groups had in the vector.
struct WordSlots {
    /// One per word.
    var words: [UInt32] = []
    /// `pairs[i]` is the pair of words `i` and `i + 1`.
    var pairs: [UInt32] = []
    /// The character n-grams of every word; word `i`'s end at `characterEnds[i]`.
    var characters: [UInt32] = []
    var characterEnds: [Int] = []
    var wordValue: Float = 0
    var characterValue: Float = 0
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
        extract(words: words, body: body, links: links, rating: rating, settings: settings).vector
    }

    /// The vector, and the slots of each word kept in order for an explanation.
    static func extract(words: [ModelWord], body: String, links: Int, rating: Int?,
                        settings: FeatureSettings) -> (vector: FeatureVector, perWord: WordSlots) {
        var perWord = WordSlots()
        perWord.words.reserveCapacity(words.count)
        perWord.pairs.reserveCapacity(words.count)
        perWord.characters.reserveCapacity(words.count * 12)
        perWord.characterEnds.reserveCapacity(words.count)
        for (index, word) in words.enumerated() {
            perWord.words.append(wordSlot(word.text, settings))
            if index > 0 { perWord.pairs.append(pairSlot(words[index - 1].text, word.text, settings)) }
            Self.characterSlots(word.text, settings) { perWord.characters.append($0) }
            perWord.characterEnds.append(perWord.characters.count)
        }
        let metaSlots = metaNames(body: body, words: words.count, links: links, rating: rating).map { metaSlot($0, settings) }
        let wordGroup = unique(perWord.words + perWord.pairs)
        let characterGroup = unique(perWord.characters)
        perWord.wordValue = 1 / Float(max(1, wordGroup.count)).squareRoot()
        perWord.characterValue = 1 / Float(max(1, characterGroup.count)).squareRoot()
        return (combine([(wordGroup, true), (characterGroup, true), (unique(metaSlots), false)]), perWord)
    }

    /// The distinct slots, in the order they first appear, in time linear in their number: an
    /// open-addressing set twice their size (slots are below 2^26, so `UInt32.max` marks a free place).
    static func unique(_ slots: [UInt32]) -> [UInt32] {
        guard slots.count > 1 else { return slots }
        var capacity = 16
        while capacity < slots.count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        var table = [UInt32](repeating: .max, count: capacity)
        var distinct: [UInt32] = []
        distinct.reserveCapacity(slots.count)
        table.withUnsafeMutableBufferPointer { table in
            for slot in slots {
                var place = Int((slot &* 0x9E37_79B1) >> 7) & mask
                while true {
                    let held = table[place]
                    if held == slot { break }
                    if held == .max {
                        table[place] = slot
                        distinct.append(slot)
                        break
                    }
                    place = (place + 1) & mask
                }
            }
        }
        return distinct
    }

    /// One vector from groups of distinct slots; a scaled group's values are 1/√n. A slot in two groups
    /// appears twice, which the dot product adds up as one.
    static func combine(_ groups: [(slots: [UInt32], scaled: Bool)]) -> FeatureVector {
        var vector = FeatureVector()
        let total = groups.reduce(0) { $0 + $1.slots.count }
        vector.slots.reserveCapacity(total)
        vector.values.reserveCapacity(total)
        for group in groups where !group.slots.isEmpty {
            let value: Float = group.scaled ? 1 / Float(group.slots.count).squareRoot() : 1
            vector.slots += group.slots
            vector.values += repeatElement(value, count: group.slots.count)
        }
        return vector
    }
}
