import Foundation

/// A token for trying Moderato out, kept in a private file beside the database.
public enum DevelopmentToken {
    /// The token stored in `api-token` in the database's folder, created (mode 0600) if missing.
    public static func loadOrCreate(besideDatabase databasePath: String) throws -> (token: String, path: String) {
        let folder = URL(fileURLWithPath: databasePath).deletingLastPathComponent()
        let path = folder.appendingPathComponent("api-token").path
        if let data = FileManager.default.contents(atPath: path),
           let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
            return (text, path)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var generator = SystemRandomNumberGenerator()
        let token = (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        guard FileManager.default.createFile(atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw DaemonError("cannot write the development token to \(path)")
        }
        return (token, path)
    }
}
