import Foundation

/// Undoes the tricks used to slip words past filters, so rules see what a reader sees.
///
/// In order:
/// 1. HTML tags read as a space, and character references (`&amp;`, `&#39;`, `&#x1F600;`) become the
///    characters they stand for.
/// 2. Compatibility forms fold to plain letters (Unicode NFKD: fullwidth `ｆｒｅｅ`, mathematical
///    `𝐟𝐫𝐞𝐞`, circled `ⓕⓡⓔⓔ`, ligatures), accents and other combining marks are removed, and
///    everything is lower-cased (`ß` → `ss`).
/// 3. Look-alike letters from other scripts become the Latin letter they imitate (Cyrillic `саsіnо`,
///    Greek `ϲαѕіnο`).
/// 4. Zero-width, bidirectional and other invisible control characters are removed; every kind of
///    space becomes a plain space.
/// 5. Leetspeak inside words is read as letters: `0`→o, `1`→i, `3`→e, `4`→a, `5`→s, `7`→t, `@`→a,
///    `$`→s, `!`→i, `|`→l — only in a word of three or more characters that has a letter, so `2026`,
///    `£500` and `4k` are untouched.
/// 6. Letters spelled out with separators are joined: `s.p.a.m`, `s p a m`, `s-p-a-m` → `spam` (three or
///    more single characters in a row).
/// 7. A letter repeated three or more times counts once: `spaaaam` → `spam` (`free` keeps its two `e`s).
///
/// Every output byte remembers the original characters it came from, so a match on the normalized
/// text is reported on the reader's actual characters.
public struct TextNormalizer: Sendable {
    public init() {}

    /// One character of the text being normalized, with the original range it came from.
    struct Unit: Sendable {
        var scalar: Unicode.Scalar
        var start: Int32
        var end: Int32
    }

    /// Normalizes a text.
    public func normalize(_ original: String) -> NormalizedText {
        var units = foldCharacters(original)
        readLeetspeak(&units)
        joinSpelledOutLetters(&units)
        collapseRepeatedLetters(&units)
        return encode(units)
    }

    // MARK: - Steps

    /// Steps 1 to 4: per-character folding.
    func foldCharacters(_ original: String) -> [Unit] {
        var units: [Unit] = []
        units.reserveCapacity(original.utf8.count)
        var offset: Int32 = 0
        let scalars = original.unicodeScalars
        var scalarIndex = scalars.startIndex
        while scalarIndex < scalars.endIndex {
            let scalar = scalars[scalarIndex]
            let width = Int32(UTF8.width(scalar))
            let start = offset
            // HTML tags (<br />, <a href=...>) read as a space.
            if scalar == "<", let length = HTMLEntities.tagLength(at: scalarIndex, in: scalars) {
                let end = start + Int32(length)
                units.append(Unit(scalar: " ", start: start, end: end))
                scalarIndex = scalars.index(scalarIndex, offsetBy: length)
                offset = end
                continue
            }
            // HTML character references.
            if scalar == "&", let (decoded, length) = HTMLEntities.decode(at: scalarIndex, in: scalars) {
                let end = start + Int32(length)
                if decoded.isASCII {
                    var value = decoded.value
                    if value >= 0x41 && value <= 0x5A { value += 0x20 }
                    if value < 0x20 || value == 0x7F { value = 0x20 }
                    units.append(Unit(scalar: Unicode.Scalar(value)!, start: start, end: end))
                } else {
                    FoldingTable.fold(decoded) { units.append(Unit(scalar: $0, start: start, end: end)) }
                }
                scalarIndex = scalars.index(scalarIndex, offsetBy: Int(length))
                offset = end
                continue
            }
            if scalar.isASCII {
                var value = scalar.value
                if value >= 0x41 && value <= 0x5A { value += 0x20 }
                if value == 0x09 || value == 0x0A || value == 0x0D { value = 0x20 }
                if value >= 0x20 && value != 0x7F {
                    units.append(Unit(scalar: Unicode.Scalar(value)!, start: start, end: start + width))
                }
            } else {
                FoldingTable.fold(scalar) { units.append(Unit(scalar: $0, start: start, end: start + width)) }
            }
            offset += width
            scalarIndex = scalars.index(after: scalarIndex)
        }
        return units
    }

    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return (scalar.value >= 0x61 && scalar.value <= 0x7A) || (scalar.value >= 0x41 && scalar.value <= 0x5A)
        }
        return scalar.properties.isAlphabetic
    }

    static func leetLetter(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar {
        case "0": "o"
        case "1": "i"
        case "3": "e"
        case "4": "a"
        case "5": "s"
        case "7": "t"
        case "@": "a"
        case "$": "s"
        case "!": "i"
        case "|": "l"
        default: nil
        }
    }

    static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        isLetter(scalar) || (scalar.value >= 0x30 && scalar.value <= 0x39)
    }

    static func isWordPart(_ scalar: Unicode.Scalar) -> Bool {
        isLetter(scalar) || (scalar.value >= 0x30 && scalar.value <= 0x39) || leetLetter(scalar) != nil
    }

    /// Step 5: leetspeak inside words.
    func readLeetspeak(_ units: inout [Unit]) {
        var index = 0
        while index < units.count {
            guard Self.isWordPart(units[index].scalar) else { index += 1; continue }
            var end = index
            var letters = 0
            var leet = 0
            while end < units.count, Self.isWordPart(units[end].scalar) {
                if Self.isLetter(units[end].scalar) { letters += 1 } else if Self.leetLetter(units[end].scalar) != nil { leet += 1 }
                end += 1
            }
            // Trailing "!" and "|" are punctuation, not letters: "wow!!" stays as it is.
            var wordEnd = end
            while wordEnd > index, units[wordEnd - 1].scalar == "!" || units[wordEnd - 1].scalar == "|" { wordEnd -= 1 }
            if letters >= 1, leet >= 1, wordEnd - index >= 3 {
                for position in index..<wordEnd {
                    if let letter = Self.leetLetter(units[position].scalar) { units[position].scalar = letter }
                }
            }
            index = end
        }
    }

    static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", ".", "-", "_", "*", "/", "\\", "~", "+", ",", ":", "'", "·", "•": true
        default: false
        }
    }

    /// Step 6: single characters spelled out with separators.
    func joinSpelledOutLetters(_ units: inout [Unit]) {
        guard units.count >= 5 else { return }
        var write = 0
        var index = 0
        let count = units.count
        while index < count {
            // A run: letter, (1-2 separators, letter) × at least 2, where each letter stands alone.
            if Self.isLetter(units[index].scalar), index == 0 || !Self.isLetterOrDigit(units[index - 1].scalar),
               index + 1 < count, Self.isSeparator(units[index + 1].scalar) {
                var letters = [index]
                var cursor = index + 1
                while true {
                    var separatorEnd = cursor
                    while separatorEnd < count, separatorEnd - cursor < 2, Self.isSeparator(units[separatorEnd].scalar) {
                        separatorEnd += 1
                    }
                    guard separatorEnd > cursor, separatorEnd < count, Self.isLetter(units[separatorEnd].scalar) else { break }
                    let next = separatorEnd + 1
                    guard next >= count || !Self.isLetterOrDigit(units[next].scalar) else { break }
                    letters.append(separatorEnd)
                    cursor = next
                }
                if letters.count >= 3 {
                    for position in letters {
                        units[write] = units[position]
                        write += 1
                    }
                    index = letters.last! + 1
                    continue
                }
            }
            units[write] = units[index]
            write += 1
            index += 1
        }
        units.removeLast(count - write)
    }

    /// Step 7: a letter three or more times in a row counts once.
    func collapseRepeatedLetters(_ units: inout [Unit]) {
        guard units.count >= 3 else { return }
        var write = 0
        var index = 0
        let count = units.count
        while index < count {
            var end = index + 1
            while end < count, units[end].scalar == units[index].scalar { end += 1 }
            if end - index >= 3, Self.isLetter(units[index].scalar) {
                var merged = units[index]
                merged.end = units[end - 1].end
                units[write] = merged
                write += 1
            } else {
                for position in index..<end {
                    units[write] = units[position]
                    write += 1
                }
            }
            index = end
        }
        units.removeLast(count - write)
    }

    func encode(_ units: [Unit]) -> NormalizedText {
        if units.allSatisfy({ $0.scalar.isASCII }) {
            // One byte per unit: the units themselves are the map back to the original.
            let bytes = units.map { UInt8($0.scalar.value) }
            return NormalizedText(text: String(decoding: bytes, as: UTF8.self), units: units)
        }
        var bytes: [UInt8] = []
        var starts: [Int32] = []
        var ends: [Int32] = []
        bytes.reserveCapacity(units.count)
        starts.reserveCapacity(units.count)
        ends.reserveCapacity(units.count)
        for unit in units {
            let before = bytes.count
            UTF8.encode(unit.scalar) { bytes.append($0) }
            for _ in before..<bytes.count {
                starts.append(unit.start)
                ends.append(unit.end)
            }
        }
        return NormalizedText(text: String(decoding: bytes, as: UTF8.self), units: [], originalStart: starts, originalEnd: ends)
    }
}
