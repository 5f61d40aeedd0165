import Foundation
import HummingbirdBcrypt

/// Moderators' passwords: bcrypt hashes (salted, deliberately slow), and generated passwords.
public enum ModeratorPasswords {
    /// bcrypt's cost: 2^12 rounds (OWASP's minimum is 10).
    public static let cost: UInt8 = 12
    public static let minimumLength = 10
    /// bcrypt reads at most 72 bytes; a longer password would be silently cut.
    public static let maximumLength = 72

    /// Why a password cannot be used, or nil.
    public static func problem(with password: String) -> String? {
        if password.count < minimumLength { return "a password has at least \(minimumLength) characters" }
        if password.utf8.count > maximumLength { return "a password has at most \(maximumLength) bytes" }
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "a password has no control characters"
        }
        return nil
    }

    public static func hash(_ password: String, cost: UInt8 = cost) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    public static func verify(_ password: String, hash: String) -> Bool {
        Bcrypt.verify(password, hash: hash)
    }

    /// A hash no password matches, checked against when the account does not exist, so that a wrong
    /// name takes as long as a wrong password.
    static let decoy = Bcrypt.hash("decoy password that nobody has", cost: cost)

    /// A new random password of 20 characters from an alphabet without look-alikes (about 110 bits).
    public static func generate() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        // In groups of five, easier to read out and type.
        return stride(from: 0, to: 20, by: 5).map { String(characters[$0..<$0 + 5]) }.joined(separator: "-")
    }
}
