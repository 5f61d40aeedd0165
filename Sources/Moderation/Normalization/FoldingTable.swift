import Foundation

/// What each non-ASCII character folds to: compatibility decomposition without marks, lower case,
/// and the Latin letter a look-alike imitates. Built once, on first use, for the blocks where such
/// characters live; characters outside them are kept as they are.
enum FoldingTable {
    /// Scalars that fold to something other than themselves. An empty array means "remove".
    static let table: [UInt32: [Unicode.Scalar]] = build()

    /// Calls `body` with each scalar `scalar` folds to (none when it is removed).
    @inline(__always)
    static func fold(_ scalar: Unicode.Scalar, _ body: (Unicode.Scalar) -> Void) {
        if let mapped = table[scalar.value] {
            for folded in mapped { body(folded) }
        } else if isInvisible(scalar) {
            return
        } else {
            body(scalar)
        }
    }

    /// Zero-width, bidirectional and other format or control characters outside the table's blocks.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .format, .control, .nonspacingMark, .enclosingMark: true
        default: false
        }
    }

    static let blocks: [ClosedRange<UInt32>] = [
        0x0080...0x058F,   // Latin-1, Latin Extended A/B, IPA, modifiers, combining marks, Greek, Cyrillic, Armenian
        0x0600...0x061F,   // Arabic letter mark and other bidi-relevant marks
        0x1D00...0x1DFF,   // phonetic extensions, combining marks supplement
        0x1E00...0x1FFF,   // Latin Extended Additional, Greek Extended
        0x2000...0x2BFF,   // punctuation, super/subscripts, letterlike symbols, number forms, enclosed alphanumerics
        0x2DE0...0x2DFF,   // Cyrillic Extended-A (combining)
        0x3000...0x303F,   // CJK punctuation (ideographic space)
        0xA640...0xA69F,   // Cyrillic Extended-B
        0xFB00...0xFB4F,   // ligatures
        0xFE00...0xFE2F,   // variation selectors, combining half marks
        0xFF00...0xFFEF,   // fullwidth and halfwidth forms
        0x1D400...0x1D7FF, // mathematical alphanumeric symbols
        0x1F100...0x1F1FF, // enclosed alphanumeric supplement (regional indicators stay: they are flags)
        0xE0000...0xE007F, // tag characters
    ]

    /// Look-alikes that Unicode does not decompose: the Latin letter each imitates (after lower-casing).
    static let confusables: [UInt32: String] = [
        // Cyrillic
        0x0430: "a", 0x0432: "b", 0x0435: "e", 0x0451: "e", 0x043A: "k", 0x043C: "m", 0x043D: "h", 0x043E: "o",
        0x0440: "p", 0x0441: "c", 0x0442: "t", 0x0443: "y", 0x0445: "x", 0x0456: "i", 0x0457: "i", 0x0458: "j",
        0x0455: "s", 0x0501: "d", 0x04BB: "h", 0x051B: "q", 0x051D: "w", 0x0433: "r", 0x0438: "u", 0x043F: "n",
        0x044C: "b", 0x0461: "w", 0x04CF: "l", 0x0475: "v", 0x0491: "r",
        // Greek
        0x03B1: "a", 0x03B2: "b", 0x03B5: "e", 0x03B7: "n", 0x03B9: "i", 0x03BA: "k", 0x03BD: "v", 0x03BF: "o",
        0x03C1: "p", 0x03C4: "t", 0x03C5: "u", 0x03C7: "x", 0x03B3: "y", 0x03B6: "z", 0x03BC: "u", 0x03C9: "w",
        0x03F2: "c", 0x03F3: "j", 0x03C2: "c", 0x03C3: "o", 0x03B8: "o",
        // Latin look-alikes and letters without a decomposition
        0x0131: "i", 0x0142: "l", 0x00F8: "o", 0x0111: "d", 0x0127: "h", 0x0167: "t", 0x0180: "b", 0x01B6: "z",
        0x0250: "a", 0x0251: "a", 0x0261: "g", 0x0269: "i", 0x026A: "i", 0x0274: "n", 0x0280: "r", 0x028F: "y",
        0x1D00: "a", 0x1D04: "c", 0x1D05: "d", 0x1D07: "e", 0x1D0A: "j", 0x1D0B: "k", 0x1D0D: "m", 0x1D0F: "o",
        0x1D18: "p", 0x1D1B: "t", 0x1D1C: "u", 0x1D20: "v", 0x1D21: "w", 0x1D22: "z", 0x0299: "b", 0x029C: "h",
        0x029F: "l", 0x00DF: "ss", 0x00E6: "ae", 0x0153: "oe", 0x00FE: "th", 0x00F0: "d",
        // Symbols used as letters (currency signs stay: "£500" must stay money)
        0x0192: "f", 0x00A1: "i",
    ]

    static func build() -> [UInt32: [Unicode.Scalar]] {
        var table: [UInt32: [Unicode.Scalar]] = [:]
        for block in blocks {
            for value in block {
                guard let scalar = Unicode.Scalar(value) else { continue }
                let folded = fold(computing: scalar)
                if folded != [scalar] { table[value] = folded }
            }
        }
        return table
    }

    static func fold(computing scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        let properties = scalar.properties
        switch properties.generalCategory {
        case .format, .control, .nonspacingMark, .enclosingMark, .spacingMark:
            return []
        case .spaceSeparator, .lineSeparator, .paragraphSeparator:
            return [" "]
        default:
            break
        }
        // Variation selectors and tag characters are invisible too.
        if (0xFE00...0xFE0F).contains(scalar.value) || (0xE0000...0xE007F).contains(scalar.value) { return [] }
        let decomposed = String(scalar).decomposedStringWithCompatibilityMapping
        var result: [Unicode.Scalar] = []
        for part in decomposed.unicodeScalars {
            switch part.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .spacingMark, .format, .control:
                continue
            case .spaceSeparator:
                result.append(" ")
                continue
            default:
                break
            }
            for lower in part.properties.lowercaseMapping.unicodeScalars {
                if let latin = confusables[lower.value] {
                    result.append(contentsOf: latin.unicodeScalars)
                } else {
                    result.append(lower)
                }
            }
        }
        return result
    }
}

/// HTML character references and tags, as websites sometimes forward escaped or marked-up text.
enum HTMLEntities {
    /// The length in scalars (all ASCII up to `>` is not required: attribute values may hold any text)
    /// of an HTML tag starting at `index` (`<br>`, `</a>`, `<a href="...">`), or `nil` if it is not one.
    static func tagLength(at index: String.UnicodeScalarView.Index, in scalars: String.UnicodeScalarView) -> Int? {
        var cursor = scalars.index(after: index)
        guard cursor < scalars.endIndex else { return nil }
        if scalars[cursor] == "/" { cursor = scalars.index(after: cursor) }
        guard cursor < scalars.endIndex, scalars[cursor].isASCII, scalars[cursor].properties.isAlphabetic else { return nil }
        var length = scalars.distance(from: index, to: cursor)
        while cursor < scalars.endIndex, length < 400 {
            let scalar = scalars[cursor]
            length += 1
            if scalar == ">" { return length }
            if scalar == "<" || scalar == "\n" { return nil }
            cursor = scalars.index(after: cursor)
        }
        return nil
    }

    static let named: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "ndash": "–", "mdash": "—",
        "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "hellip": "…", "pound": "£", "euro": "€",
    ]

    /// The character a reference at `index` stands for, and the reference's length in scalars
    /// (all ASCII, so also its length in UTF-8 bytes).
    static func decode(at index: String.UnicodeScalarView.Index, in scalars: String.UnicodeScalarView) -> (Unicode.Scalar, Int32)? {
        var cursor = scalars.index(after: index)
        var name = ""
        var length: Int32 = 1
        while cursor < scalars.endIndex, length < 12 {
            let scalar = scalars[cursor]
            length += 1
            if scalar == ";" {
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    guard let value = UInt32(name.dropFirst(2), radix: 16), let decoded = Unicode.Scalar(value) else { return nil }
                    return (decoded, length)
                }
                if name.hasPrefix("#") {
                    guard let value = UInt32(name.dropFirst()), let decoded = Unicode.Scalar(value) else { return nil }
                    return (decoded, length)
                }
                guard let decoded = named[name] else { return nil }
                return (decoded, length)
            }
            guard scalar.isASCII, scalar.properties.isAlphabetic || (scalar.value >= 0x30 && scalar.value <= 0x39) || scalar == "#" else {
                return nil
            }
            name.unicodeScalars.append(scalar)
            cursor = scalars.index(after: cursor)
        }
        return nil
    }
}
