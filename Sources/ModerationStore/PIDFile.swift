import Foundation

/// `moderatod.pid` beside the database, so `modctl` can find the daemon that serves it.
public struct PIDFile: Sendable {
    public let path: String

    public init(besideDatabase databasePath: String) {
        path = URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent("moderatod.pid").path
    }

    /// The process id recorded, if the file exists and that process is alive.
    public func runningProcess() -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else { return nil }
        return kill(pid, 0) == 0 ? pid : nil
    }

    public func write() throws {
        try "\(getpid())\n".write(toFile: path, atomically: true, encoding: .utf8)
    }

    public func remove() {
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
           text.trimmingCharacters(in: .whitespacesAndNewlines) == "\(getpid())" {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
