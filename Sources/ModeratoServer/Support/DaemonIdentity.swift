import Foundation

/// Who this daemon is among those sharing a database: the host, the process and a random part, so a
/// restarted process never takes a crashed one's claims for its own.
enum DaemonIdentity {
    static let current: String = {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        return "\(host)-\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
    }()
}
