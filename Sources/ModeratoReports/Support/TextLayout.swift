import Foundation

/// Measuring, cutting and wrapping text for fixed-width output such as cron mail.
enum TextLayout {
    /// Makes text from the data safe to print on one line: line breaks and tabs become spaces, other
    /// control characters (ANSI escapes included) become `?`, and bidirectional overrides, which could
    /// make a name read backwards, are dropped.
    static func sanitize(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029:
                result.append(" ")
            case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C:
                continue
            case 0x00...0x1F, 0x7F...0x9F:
                result.append("?")
            default:
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// The columns a terminal or mail reader gives the text: two for wide East Asian characters and
    /// most emoji, none for combining marks and zero-width characters, one otherwise.
    static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + width(of: $1) }
    }

    private static func width(of scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0xFE0F || (0xFE00...0xFE0E).contains(v) { return 0 }
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD,
        ]
        return wide.contains { $0.contains(v) } ? 2 : 1
    }

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
        for var word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            while true {
                let prefix = lineHasWords ? " " : ""
                if Self.width(line) + Self.width(prefix + word) <= width {
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
                // The word alone is wider than a line: cut it.
                let room = max(1, width - Self.width(line))
                var head = ""
                for character in word {
                    if Self.width(head + String(character)) > room { break }
                    head.append(character)
                }
                if head.isEmpty { head = String(word.first!) }
                lines.append(line + head)
                word = String(word.dropFirst(head.count))
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
