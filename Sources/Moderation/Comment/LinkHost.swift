import Foundation

/// The host a browser would go to for a link, found the way browsers parse URLs (the WHATWG URL
/// standard's host parser for `http` and `https`), so that a link cannot show one site to the
/// moderation and take the reader to another.
///
/// - A backslash ends the host like a slash (`http://a.example\@b.example` goes to `a.example`), and a
///   scheme may be followed by any slashes or backslashes (`http:\\a.example`).
/// - The user information before the last `@` is not the host (`http://b.example@a.example`).
/// - Percent-encoded bytes are decoded (`ex%61mple.com`).
/// - Internationalised names are mapped as IDNA does: compatibility forms fold (`ｅｘａｍｐｌｅ.com`,
///   `ſhop`), letters are lower-cased, invisible characters are dropped, the ideographic full stop
///   `。` separates labels like `.`, and `xn--` labels are decoded, so `xn--exmple-cua.com` and
///   `exämple.com` are one host.
/// - One trailing dot is dropped (`example.com.`), and numeric hosts are read as IPv4 addresses in
///   any of the forms browsers accept (`0x7f.1`, `2130706433`), written back as `127.0.0.1`.
///
/// Hosts are written in their Unicode form, lower case, without a leading `www.`.
public enum LinkHost {
    /// The canonical host of a link as written in a comment: a URL with a scheme, a `www.` address or
    /// a bare domain with an optional path. Empty when there is none.
    public static func of(_ link: String) -> String {
        let authority = self.authority(of: link)
        // The user information ends at the last "@"; what follows is the host and port.
        let hostAndPort = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority[...]
        return canonical(hostAndPort: hostAndPort)
    }

    /// The canonical form of a domain or host a moderator typed (for block and allow lists): the same
    /// form ``of(_:)`` gives a link, so `EXAMPLE.com.`, `xn--exmple-cua.com` and `exämple.com` match.
    public static func canonical(domain: String) -> String {
        let trimmed = domain.trimmingCharacters(in: .whitespaces)
        if trimmed.contains("/") || trimmed.contains("\\") || trimmed.contains("@") { return of(trimmed) }
        return canonical(hostAndPort: trimmed[...])
    }

    /// The longest name a domain can have (RFC 1035); no list entry can be longer.
    static let maximumDomainBytes = 253

    /// The host and the domains it belongs to, longest first, for matching block and allow lists:
    /// `mail.spam.example` gives `mail.spam.example` and `spam.example` (never a top-level domain
    /// alone). Only names that fit in a domain name are given, so a host of thousands of labels costs
    /// no more than a real one.
    public static func domains(covering host: String) -> [String] {
        let bytes = Array(host.utf8)
        guard let lastDot = bytes.lastIndex(of: 0x2E) else { return host.isEmpty ? [] : [host] }
        var domains: [String] = bytes.count <= maximumDomainBytes ? [host] : []
        // Each dot but the last starts a parent domain of at least two labels.
        for (index, byte) in bytes.enumerated() where byte == 0x2E {
            guard index < lastDot else { break }
            if bytes.count - index - 1 <= maximumDomainBytes {
                domains.append(String(decoding: bytes[(index + 1)...], as: UTF8.self))
            }
        }
        return domains
    }

    /// The part between the scheme's slashes and the path, query or fragment.
    static func authority(of link: String) -> Substring {
        let bytes = Array(link.utf8)
        // Browsers strip leading and trailing C0 controls and spaces, and tabs and newlines anywhere.
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] <= 0x20 { start += 1 }
        while end > start, bytes[end - 1] <= 0x20 { end -= 1 }
        var text = bytes[start..<end].filter { $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }[...]
        // A scheme is what comes before the first ":". Only http and https are links here; for them,
        // any number of "/" and "\" follow it.
        if let colon = text.firstIndex(of: 0x3A), colon - text.startIndex <= 5 {
            let scheme = String(decoding: text[..<colon], as: UTF8.self).lowercased()
            if scheme == "http" || scheme == "https" {
                text = text[(colon + 1)...]
                while let first = text.first, first == 0x2F || first == 0x5C { text = text.dropFirst() }
            }
        }
        let authorityEnd = text.firstIndex { $0 == 0x2F || $0 == 0x5C || $0 == 0x3F || $0 == 0x23 } ?? text.endIndex
        return Substring(String(decoding: text[..<authorityEnd], as: UTF8.self))
    }

    static func canonical(hostAndPort: Substring) -> String {
        var host = hostAndPort
        if host.hasPrefix("[") {
            // An IPv6 literal: kept as written, lower case.
            if let close = host.firstIndex(of: "]") { host = host[...close] }
            return host.lowercased()
        }
        if let colon = host.lastIndex(of: ":") { host = host[..<colon] }
        var text = percentDecoded(host)
        text = mappedForIDNA(text)
        var labels = text.split(separator: ".", omittingEmptySubsequences: false).map { decodedLabel($0) }
        if labels.count > 1, labels.last?.isEmpty == true { labels.removeLast() }
        if let address = ipv4(labels) { return address }
        var result = labels.joined(separator: ".")
        if result.hasPrefix("www.") { result.removeFirst(4) }
        return result
    }

    /// Percent-decodes a host, as UTF-8 (bytes that are not UTF-8 become U+FFFD, as browsers do).
    static func percentDecoded(_ text: Substring) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == 0x25, index + 2 < utf8.count, let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// The IDNA mapping as browsers apply it, for the characters that matter to matching: compatibility
    /// forms fold (NFKC), letters are lower-cased, characters IDNA ignores are dropped, and the full
    /// stops of other scripts separate labels.
    static func mappedForIDNA(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.lowercased() }
        var scalars = String.UnicodeScalarView()
        for scalar in text.precomposedStringWithCompatibilityMapping.lowercased().precomposedStringWithCompatibilityMapping.unicodeScalars {
            switch scalar.value {
            case 0x00AD, 0x034F, 0x180B...0x180D, 0x200B, 0x2060, 0xFE00...0xFE0F, 0xFEFF:
                continue  // ignored by IDNA
            case 0x3002, 0xFF0E, 0xFF61:
                scalars.append(".")  // ideographic and fullwidth full stops
            default:
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// A label with its `xn--` (Punycode) form decoded; other labels as they are.
    static func decodedLabel(_ label: Substring) -> String {
        guard label.hasPrefix("xn--"), let decoded = Punycode.decode(label.dropFirst(4)) else { return String(label) }
        return mappedForIDNA(decoded)
    }

    /// The host as a dotted-decimal IPv4 address, when its last label is a number (browsers then read
    /// the whole host as an address: `0x7f.1`, `0177.0.0.1` and `2130706433` are all 127.0.0.1).
    static func ipv4(_ labels: [String]) -> String? {
        guard let last = labels.last, !last.isEmpty, number(last) != nil || last.allSatisfy(\.isASCIIDigit),
              labels.count <= 4 else { return nil }
        var numbers: [UInt64] = []
        for label in labels {
            guard let value = number(label) else { return nil }
            numbers.append(value)
        }
        for value in numbers.dropLast() where value > 255 { return nil }
        let lastLimit = UInt64(1) << (8 * UInt64(5 - numbers.count))
        guard numbers.last! < lastLimit else { return nil }
        var address = numbers.last!
        for (index, value) in numbers.dropLast().enumerated() { address += value << (8 * UInt64(3 - index)) }
        return (0..<4).map { String((address >> (8 * UInt64(3 - $0))) & 0xFF) }.joined(separator: ".")
    }

    /// A number as a browser reads an IPv4 part: `0x` hexadecimal, a leading `0` octal, else decimal.
    static func number(_ label: String) -> UInt64? {
        guard !label.isEmpty, label.utf8.count <= 20 else { return nil }
        var digits = Substring(label)
        var radix = 10
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            digits = digits.dropFirst(2)
            radix = 16
            if digits.isEmpty { return 0 }
        } else if digits.count > 1, digits.hasPrefix("0") {
            digits = digits.dropFirst()
            radix = 8
        }
        return UInt64(digits, radix: radix)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// Punycode (RFC 3492), the encoding of internationalised domain labels after `xn--`.
enum Punycode {
    static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700, initialBias = 72, initialN = 128

    /// The Unicode text a Punycode string stands for, or nil when it is not valid Punycode.
    static func decode(_ input: Substring) -> String? {
        guard input.utf8.count <= 256 else { return nil }
        let bytes = Array(input.utf8)
        var output: [Unicode.Scalar] = []
        var start = 0
        if let delimiter = bytes.lastIndex(of: 0x2D) {
            for byte in bytes[..<delimiter] {
                guard byte < 0x80 else { return nil }
                output.append(Unicode.Scalar(byte))
            }
            start = delimiter + 1
        }
        var n = initialN
        var i = 0
        var bias = initialBias
        var position = start
        while position < bytes.count {
            let oldI = i
            var weight = 1
            var k = base
            while true {
                guard position < bytes.count, let digit = digitValue(bytes[position]) else { return nil }
                position += 1
                let (product, overflow) = digit.multipliedReportingOverflow(by: weight)
                guard !overflow, i <= Int(Int32.max) - product else { return nil }
                i += product
                let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                if digit < t { break }
                let (nextWeight, weightOverflow) = weight.multipliedReportingOverflow(by: base - t)
                guard !weightOverflow, nextWeight <= Int(Int32.max) else { return nil }
                weight = nextWeight
                k += base
            }
            bias = adapt(i - oldI, output.count + 1, oldI == 0)
            n += i / (output.count + 1)
            i %= output.count + 1
            guard n <= 0x10FFFF, let scalar = Unicode.Scalar(UInt32(n)) else { return nil }
            output.insert(scalar, at: i)
            i += 1
        }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: output)
        return String(text)
    }

    static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte) - 0x30 + 26
        case 0x41...0x5A: Int(byte) - 0x41
        case 0x61...0x7A: Int(byte) - 0x61
        default: nil
        }
    }

    static func adapt(_ delta: Int, _ points: Int, _ isFirst: Bool) -> Int {
        var delta = isFirst ? delta / damp : delta / 2
        delta += delta / points
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}
