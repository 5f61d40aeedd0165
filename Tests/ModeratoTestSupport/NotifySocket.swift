#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A Unix datagram socket standing in for systemd's `NOTIFY_SOCKET`: collects what a daemon sends.
public final class NotifySocket: @unchecked Sendable {
    public let path: String
    private let descriptor: Int32

    public init(directory: TemporaryDirectory) throws {
        path = directory.path("notify.sock")
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError("cannot make a Unix socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.enumerated() { bytes[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw HarnessError("cannot bind \(path): errno \(errno)") }
    }

    deinit { close(descriptor) }

    /// The messages received so far (each datagram once).
    public func receive() -> [String] {
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            messages.append(String(decoding: buffer[0..<count], as: UTF8.self))
        }
        return messages
    }

    /// Waits until a message containing `text` arrives; returns it.
    public func waitFor(_ text: String, timeout: TimeInterval = 20) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var seen: [String] = []
        while Date() < deadline {
            seen += receive()
            if let message = seen.first(where: { $0.contains(text) }) { return message }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("no \(text) on \(path) within \(Int(timeout)) s; received: \(seen)")
    }
}
