/// Makes text that readers wrote safe to show to a moderator: nothing in it can drive a terminal or
/// hide part of itself.
///
/// Control characters become visible symbols (ESC shows as `␛`, BEL as `␇`, a carriage return as `␍`),
/// C1 controls such as the 8-bit CSI `U+009B` and the characters that reorder or hide text (bidi
/// overrides and isolates, Unicode tag characters, interlinear annotations) show as `[U+XXXX]`, so a
/// moderator sees that something was there. Every printer of comment data (`modctl`, the digest)
/// goes through this one type.
///
/// ```swift
/// UntrustedText.singleLine("Bob\u{1B}[2J")   // "Bob␛[2J"
/// ```
public enum UntrustedText {
    /// The text on one line: line breaks and tabs become spaces.
    public static func singleLine(_ text: String) -> String {
        sanitize(text, keepsLineBreaks: false)
    }

    /// The text with its line breaks (CR LF, CR, and Unicode line and paragraph separators become LF);
    /// tabs become spaces.
    public static func multiLine(_ text: String) -> String {
        sanitize(text, keepsLineBreaks: true)
    }

    /// Whether the text needs no change: printable ASCII and ordinary characters only. The common case,
    /// answered without building a copy.
    static func isClean(_ text: String, keepsLineBreaks: Bool) -> Bool {
        for byte in text.utf8 {
            if byte >= 0x20 && byte < 0x7F { continue }
            if byte == 0x0A && keepsLineBreaks { continue }
            return false
        }
        return true
    }

    static func sanitize(_ text: String, keepsLineBreaks: Bool) -> String {
        if isClean(text, keepsLineBreaks: keepsLineBreaks) { return text }
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count + 16)
        func append(_ scalar: Unicode.Scalar) { UTF8.encode(scalar) { result.append($0) } }
        var previousWasCarriageReturn = false
        for scalar in text.unicodeScalars {
            defer { previousWasCarriageReturn = scalar == "\r" }
            switch scalar.value {
            case 0x0A:
                // CR LF is one break, already written for the CR.
                if previousWasCarriageReturn && keepsLineBreaks { continue }
                result.append(keepsLineBreaks ? 0x0A : 0x20)
            case 0x0D, 0x85, 0x2028, 0x2029:
                result.append(keepsLineBreaks ? 0x0A : 0x20)
            case 0x09, 0x0B, 0x0C:
                result.append(0x20)
            case 0x00...0x1F:
                // The Control Pictures block has a symbol for each C0 control: ␀ … ␟.
                append(Unicode.Scalar(0x2400 + scalar.value)!)
            case 0x7F:
                append("␡")
            case 0x80...0x9F, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFFF9...0xFFFB, 0xE0000...0xE007F:
                result.append(contentsOf: marker(scalar).utf8)
            default:
                append(scalar)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// The text made safe as ``singleLine(_:)`` or ``multiLine(_:)`` make it, then escaped for HTML text
    /// and attribute values. Each code point is looked at on its own: a `<` or `"` followed by a combining
    /// mark is one *character* to Swift, and must still be escaped.
    public static func html(_ text: String, keepsLineBreaks: Bool) -> String {
        htmlEscaped(sanitize(text, keepsLineBreaks: keepsLineBreaks))
    }

    /// The text escaped for HTML, each code point on its own, and otherwise unchanged: for values a form
    /// sends back (an id, the text in an edit box), which must come back exactly as they were.
    public static func htmlEscaped(_ safe: String) -> String {
        var result = ""
        result.reserveCapacity(safe.utf8.count + 16)
        for scalar in safe.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `[U+202E]`.
    static func marker(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "[U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
    }

    /// Escapes, in a JSON document already encoded, the characters JSON allows raw but a terminal acts
    /// on or that hide text (C1 controls, bidi controls, tag characters), as `\uXXXX`: the data stays
    /// the same for a JSON reader, and printing the document is harmless.
    public static func escapingJSON(_ json: String) -> String {
        guard !json.unicodeScalars.allSatisfy({ !needsJSONEscape($0) }) else { return json }
        var result = ""
        result.reserveCapacity(json.utf8.count + 16)
        for scalar in json.unicodeScalars {
            guard needsJSONEscape(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            for unit in String(scalar).utf16 {
                let hex = String(unit, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return result
    }

    static func needsJSONEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0xFFF9...0xFFFB,
             0xE0000...0xE007F:
            true
        default:
            false
        }
    }
}
