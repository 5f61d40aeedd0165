import Foundation
import Moderation

/// Measuring, cutting and wrapping text for fixed-width output such as cron mail.
enum TextLayout {
    /// Makes text from the data safe to print on one line (see ``UntrustedText``): line breaks and tabs
    /// become spaces, control characters (ANSI escapes included) visible symbols, and the characters that
    /// reorder or hide text `[U+XXXX]` markers.
    static func sanitize(_ text: String) -> String {
        UntrustedText.singleLine(text)
    }

    /// The columns a terminal or mail reader gives the text: two for wide East Asian characters and
    /// most emoji, none for combining marks and zero-width characters, one otherwise.
    static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + width(of: $1) }
    }

    private static func width(of scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v >= 0x20 && v < 0x7F { return 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0xFE0F || (0xFE00...0xFE0E).contains(v) { return 0 }
        if v < 0x1100 { return 1 }
        return wideRanges.contains { $0.contains(v) } ? 2 : 1
    }

    /// Whether the text takes at most `columns` columns; stops counting once it does not.
    static func fits(_ text: some StringProtocol, in columns: Int) -> Bool {
        var used = 0
        for scalar in text.unicodeScalars {
            used += width(of: scalar)
            if used > columns { return false }
        }
        return true
    }

    /// East Asian wide characters and most emoji: two columns each.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
        0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
        0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD,
    ]

    /// The text cut to at most `maxWidth` columns, ending in `...` when it was cut.
    static func truncate(_ text: String, to maxWidth: Int) -> String {
        guard width(text) > maxWidth else { return text }
        guard maxWidth > 3 else { return String(repeating: ".", count: max(0, maxWidth)) }
        var result = ""
        var used = 0
        for character in text {
            let w = width(String(character))
            if used + w > maxWidth - 3 { break }
            result.append(character)
            used += w
        }
        return result + "..."
    }

    /// `text` padded with spaces to `columns` on the right (`.left`) or on the left (`.right`).
    static func pad(_ text: String, to columns: Int, _ alignment: TextTable.Alignment = .left) -> String {
        let padding = String(repeating: " ", count: max(0, columns - width(text)))
        return alignment == .left ? text + padding : padding + text
    }

    /// The text broken into lines of at most `width` columns, the first starting with `firstIndent`
    /// and the others with `indent`. Words longer than a line are cut.
    static func wrap(_ text: String, width: Int = 80, firstIndent: String = "", indent: String = "") -> [String] {
        var lines: [String] = []
        var line = firstIndent
        var lineHasWords = false
        for var word in text.split(separator: " ", omittingEmptySubsequences: true) {
            while true {
                let prefix = lineHasWords ? " " : ""
                if Self.fits(word, in: width - Self.width(line) - prefix.count) {
                    line += prefix + word
                    lineHasWords = true
                    break
                }
                if lineHasWords {
                    lines.append(line)
                    line = indent
                    lineHasWords = false
                    continue
                }
                // The word alone is wider than a line: cut it, walking its characters once.
                let room = max(1, width - Self.width(line))
                var used = 0
                var cut = word.startIndex
                while cut < word.endIndex {
                    let characterWidth = Self.width(String(word[cut]))
                    if used + characterWidth > room && cut > word.startIndex { break }
                    used += characterWidth
                    cut = word.index(after: cut)
                }
                lines.append(line + word[..<cut])
                word = word[cut...]
                line = indent
                if word.isEmpty { break }
            }
        }
        if lineHasWords || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// `##########`: a bar of up to `maxWidth` characters for `value` out of `maximum`; never empty for a
    /// value above zero.
    static func bar(_ value: Int, of maximum: Int, maxWidth: Int = 40, character: Character = "#") -> String {
        guard value > 0, maximum > 0 else { return "" }
        let length = max(1, Int((Double(value) / Double(maximum) * Double(maxWidth)).rounded()))
        return String(repeating: character, count: min(maxWidth, length))
    }
}

/// A plain-text table with a header, columns sized to their content and two spaces between them.
struct TextTable {
    enum Alignment { case left, right }

    struct Column {
        var title: String
        var alignment: Alignment
    }

    var columns: [Column]
    var rows: [[String]] = []

    init(_ columns: [(String, Alignment)]) {
        self.columns = columns.map { Column(title: $0.0, alignment: $0.1) }
    }

    mutating func append(_ row: [String]) {
        rows.append(row.map(TextLayout.sanitize))
    }

    /// The lines of the table, each at most `maxWidth` columns: when it is too wide, the first column
    /// (the name of the thing counted) is cut.
    func lines(indent: Int = 2, maxWidth: Int = 80) -> [String] {
        var widths = columns.indices.map { index in
            ([columns[index].title] + rows.map { $0[index] }).map(TextLayout.width).max() ?? 0
        }
        let total = indent + widths.reduce(0, +) + 2 * (columns.count - 1)
        if total > maxWidth {
            widths[0] = max(4, widths[0] - (total - maxWidth))
        }
        let margin = String(repeating: " ", count: indent)
        func render(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { index, cell in
                TextLayout.pad(TextLayout.truncate(cell, to: widths[index]), to: widths[index], columns[index].alignment)
            }
            let line = margin + padded.joined(separator: "  ")
            return String(line.reversed().drop { $0 == " " }.reversed())
        }
        return [render(columns.map(\.title))] + rows.map(render)
    }
}
