/// The 64-bit FNV-1a hash: the one quick, non-cryptographic hash the domain uses (rule-set versions,
/// tokens, fingerprint pieces, traffic sources). Not for anything an attacker may want to collide.
///
/// ```swift
/// var hasher = FNV1a()
/// hasher.combine("Rules/spam.yml")
/// print(hasher.hex)
/// ```
public struct FNV1a: Sendable {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x100_0000_01b3

    public private(set) var value: UInt64 = FNV1a.offsetBasis

    public init() {}

    /// Adds a text, followed by a separator byte so that ("ab", "c") and ("a", "bc") differ.
    public mutating func combine(_ text: String) {
        for byte in text.utf8 { value = (value ^ UInt64(byte)) &* Self.prime }
        value = (value ^ 0xff) &* Self.prime
    }

    /// The hash as 16 hexadecimal digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The hash of some bytes.
    @inline(__always)
    public static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash = offsetBasis
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* prime }
        return hash
    }

    /// The hash of a text's UTF-8 bytes.
    public static func hash(_ text: String) -> UInt64 {
        hash(text.utf8)
    }
}
