import Foundation
import Logging
import Moderation
import ModerationStore
import ServiceLifecycle

/// Accepts comments dropped as files into `SPOOL/incoming/` (one JSON object per file, written
/// elsewhere and renamed in), exactly as `POST /v1/comments` would.
///
/// Each file is claimed by an atomic rename into `processing/`, accepted, then removed. A file that is
/// not a valid comment moves to `bad/` with a `.error` file saying why. After a crash, files left in
/// `processing/` go back to `incoming/`; accepting is idempotent by id, so nothing is lost or doubled.
public struct SpoolIngest: Service, CustomStringConvertible {
    let directory: URL
    let batcher: IngestBatcher
    let decoder: CommentDecoder
    let backpressure: Backpressure?
    let logger: Logger

    public var description: String { "SpoolIngest(\(directory.path))" }

    public init(directory: String, batcher: IngestBatcher, decoder: CommentDecoder, backpressure: Backpressure? = nil,
                logger: Logger) {
        self.directory = URL(fileURLWithPath: directory)
        self.batcher = batcher
        self.decoder = decoder
        self.backpressure = backpressure
        self.logger = logger
    }

    var incoming: URL { directory.appendingPathComponent("incoming") }
    var processing: URL { directory.appendingPathComponent("processing") }
    var bad: URL { directory.appendingPathComponent("bad") }

    /// Creates the folders and returns files a crash left half-done to `incoming/`.
    public func prepare() throws {
        let manager = FileManager.default
        for folder in [incoming, processing, bad] {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o770])
        }
        for name in try manager.contentsOfDirectory(atPath: processing.path) {
            _ = rename(processing.appendingPathComponent(name).path, incoming.appendingPathComponent(name).path)
            logger.notice("spool: a file claimed before a stop is back in incoming", metadata: ["spool.file": "\(name)"])
        }
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let handled = await scanOnce()
            if handled == 0 {
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Handles the files now in `incoming/`, in name order; returns how many it claimed. While the
    /// queue is full it stops, and the rest wait in `incoming/`, where they are safe.
    @discardableResult
    public func scanOnce() async -> Int {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: incoming.path)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        var claimed = 0
        for name in names where !Task.isShuttingDownGracefully {
            if backpressure?.isFull == true { break }
            let file = processing.appendingPathComponent(name)
            // The rename is the claim: if it fails, the file is gone or another process took it.
            guard rename(incoming.appendingPathComponent(name).path, file.path) == 0 else { continue }
            claimed += 1
            await ingest(file, name: name)
        }
        return claimed
    }

    private func ingest(_ file: URL, name: String) async {
        let data: Data
        switch Self.read(file.path, limit: decoder.limits.maxRequestBytes) {
        case .success(let contents): data = contents
        case .failure(let problem):
            moveToBad(file, name: name, because: problem.reason)
            return
        }
        let comment: Comment
        do {
            comment = try decoder.decode(data)
        } catch {
            moveToBad(file, name: name, because: "\(error.code.rawValue): \(error.description)")
            return
        }
        do {
            let outcome = try await batcher.accept(comment)
            if outcome == .conflict {
                moveToBad(file, name: name, because: "id_conflict: a different comment was already accepted with id \(comment.id)")
                return
            }
            try? FileManager.default.removeItem(at: file)
            logger.debug("spool: accepted", metadata: ["comment.id": "\(comment.id)"])
        } catch {
            // The database is unavailable: put the file back to try again.
            _ = rename(file.path, incoming.appendingPathComponent(name).path)
            logger.error("spool: cannot store a comment; will retry", metadata: ["spool.file": "\(name)", "error": "\(error)"])
            try? await Task.sleep(for: .seconds(1))
        }
    }

    struct UnreadableFile: Error {
        var reason: String
    }

    /// Reads a claimed file if it is a regular file (not a link, pipe or device) of at most `limit` bytes.
    static func read(_ path: String, limit: Int) -> Result<Data, UnreadableFile> {
        // O_NONBLOCK so that opening a pipe does not wait for a writer; O_NOFOLLOW refuses links.
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            return .failure(UnreadableFile(reason: errno == ELOOP ? "the file is a symbolic link" : "the file cannot be read"))
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            return .failure(UnreadableFile(reason: "not a regular file"))
        }
        guard status.st_size <= limit else {
            return .failure(UnreadableFile(reason: "too_large: the file is larger than \(limit) bytes"))
        }
        guard let data = try? handle.read(upToCount: limit + 1) ?? Data() else {
            return .failure(UnreadableFile(reason: "the file cannot be read"))
        }
        guard data.count <= limit else { return .failure(UnreadableFile(reason: "too_large: the file is larger than \(limit) bytes")) }
        return .success(data)
    }

    private func moveToBad(_ file: URL, name: String, because reason: String) {
        let target = bad.appendingPathComponent(name)
        _ = rename(file.path, target.path)
        try? (reason + "\n").write(to: bad.appendingPathComponent(name + ".error"), atomically: true, encoding: .utf8)
        logger.warning("spool: refused a file", metadata: ["spool.file": "\(name)", "reason": "\(reason)"])
    }
}
