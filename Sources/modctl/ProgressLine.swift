import Foundation

/// Progress of a long operation on one line of the terminal (`eval: 1,200 of 5,000 comments (24%)`),
/// shown only when standard error is a terminal: cron jobs and scripts see nothing but the result.
final class ProgressLine: @unchecked Sendable {
    private let label: String
    private let unit: String
    private let isShown = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    private var lastShown = Date.distantPast
    private let lock = NSLock()

    init(_ label: String, unit: String) {
        self.label = label
        self.unit = unit
    }

    /// Shows `done of total` (at most ten times a second).
    func update(_ done: Int, of total: Int) {
        guard isShown, total > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard done >= total || now.timeIntervalSince(lastShown) >= 0.1 else { return }
        lastShown = now
        let percent = Int((Double(done) / Double(total) * 100).rounded(.down))
        FileHandle.standardError.write(Data("\r\u{1B}[K\(label): \(done.formatted()) of \(total.formatted()) \(unit) (\(percent)%)".utf8))
    }

    /// Shows `done` when the total is not known in advance (at most ten times a second).
    func update(_ done: Int) {
        guard isShown else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastShown) >= 0.1 else { return }
        lastShown = now
        FileHandle.standardError.write(Data("\r\u{1B}[K\(label): \(done.formatted()) \(unit)".utf8))
    }

    /// Clears the line, so the result starts on a clean one.
    func finish() {
        guard isShown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
