import Foundation
import ModerationStore

/// A token for trying Moderato out, kept in a private file beside the database.
public enum DevelopmentToken {
    /// The token stored in `api-token` in the database's folder, created (mode 0600) if missing.
    ///
    /// The folder must be the daemon's own, and an existing file is adopted only when it is a regular
    /// file of this user that no one else can read: a token planted by someone else, or a link to
    /// another file, is refused.
    public static func loadOrCreate(besideDatabase databasePath: String) throws -> (token: String, path: String) {
        let folder = URL(fileURLWithPath: databasePath).deletingLastPathComponent().path
        let path = URL(fileURLWithPath: folder).appendingPathComponent("api-token").path
        do {
            let folderDescriptor = try PrivateFiles.prepareFolder(folder, what: "the database folder")
            defer { close(folderDescriptor) }
            if let descriptor = try PrivateFiles.openExisting(path, what: "the development token") {
                defer { close(descriptor) }
                try PrivateFiles.checkPrivateFile(descriptor, path: path, what: "the development token")
                let text = String(decoding: PrivateFiles.read(descriptor, limit: 4096), as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                guard !text.isEmpty else { throw DaemonError("the development token \(path) is empty; remove it to make a new one") }
                return (text, path)
            }
            var generator = SystemRandomNumberGenerator()
            let token = (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
            let descriptor = openat(folderDescriptor, "api-token", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw DaemonError("cannot write the development token to \(path): \(String(cString: strerror(errno)))") }
            defer { close(descriptor) }
            guard PrivateFiles.write(Data((token + "\n").utf8), to: descriptor) else {
                throw DaemonError("cannot write the development token to \(path)")
            }
            return (token, path)
        } catch let problem as PrivateFiles.Problem {
            throw DaemonError(problem.message)
        }
    }
}
