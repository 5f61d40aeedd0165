import Foundation

/// The result of running a command.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a built executable of the package with arguments and environment, capturing its output.
public enum CommandRunner {
    /// Runs `name` (such as `modctl`) to completion; with a `timeout`, it is stopped with SIGTERM once
    /// that many seconds have passed (for a daemon that should have refused to start).
    public static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:],
                           stdin: String? = nil, timeout: TimeInterval? = nil) throws -> CommandResult {
        try runProgram(TestPaths.executable(name).path, arguments, environment: environment, stdin: stdin, timeout: timeout)
    }

    /// Runs `python3 -c CODE` and returns what it printed.
    public static func runPython(_ code: String) throws -> String {
        try runProgram("/usr/bin/env", ["python3", "-c", code]).stdout
    }

    /// Runs any program by path, as ``run(_:_:environment:stdin:timeout:)`` runs the package's own.
    public static func runProgram(_ path: String, _ arguments: [String], environment: [String: String] = [:],
                                  stdin: String? = nil, timeout: TimeInterval? = nil) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "MODERATO_DB")
        // Times in UTC unless a test asks for a zone, whatever the machine's.
        env["MODERATO_TIME_ZONE"] = "UTC"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let timeout {
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [weak process] in
                if process?.isRunning == true { kill(pid, SIGTERM) }
            }
        }
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Read both pipes fully before waiting, so a chatty process cannot block on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.wait()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }
}
