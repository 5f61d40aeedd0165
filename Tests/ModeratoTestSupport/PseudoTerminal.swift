import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a built executable on a pseudo-terminal: keys in, screen out.
public final class PseudoTerminalSession: @unchecked Sendable {
    private let process = Process()
    private let master: Int32
    private let lock = NSLock()
    private var output = Data()
    private var reader: Thread?

    public init(_ name: String, _ arguments: [String], environment: [String: String]) throws {
        var master: Int32 = 0
        var slave: Int32 = 0
        guard openpty(&master, &slave, nil, nil, nil) == 0 else { throw HarnessError("openpty failed") }
        self.master = master
        process.executableURL = TestPaths.executable(name)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "dumb"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let fd = master
        let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        process.standardInput = handle
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let thread = Thread { [weak self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while let self {
                let count = read(fd, &buffer, buffer.count)
                if count <= 0 { break }
                self.lock.lock()
                self.output.append(contentsOf: buffer[0..<count])
                self.lock.unlock()
            }
        }
        reader = thread
        thread.start()
    }

    /// Everything printed so far.
    public var screen: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: output, as: UTF8.self)
    }

    /// Types keys.
    public func send(_ keys: String) {
        let bytes = Array(keys.utf8)
        _ = bytes.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count) }
    }

    /// Waits until the screen contains a text.
    public func waitFor(_ text: String, timeout: TimeInterval = 15) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !screen.contains(text) {
            guard Date() < deadline else { throw HarnessError("“\(text)” did not appear on the screen:\n\(screen)") }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// Waits for the program to exit and returns its status.
    public func waitForExit(timeout: TimeInterval = 15) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else {
                process.terminate()
                throw HarnessError("the program did not exit:\n\(screen)")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate() }
        close(master)
    }
}
