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
///
/// The folders cannot be swapped under the daemon: they are opened once at start without following
/// links, and every later operation is relative to those open folders (`renameat`, `openat`). At start
/// the daemon refuses a spool whose `processing/` or `bad/` is a link, belongs to another user or can
/// be written by another user, and a spool or `incoming/` folder anyone at all can write to.
/// `incoming/` may be writable by a group (the website's), so the website can drop files.
public final class SpoolIngest: Service, CustomStringConvertible, @unchecked Sendable {
    let directory: URL
    let batcher: IngestBatcher
    let decoder: CommentDecoder
    let backpressure: Backpressure?
    let logger: Logger
    /// The open folders, set by ``prepare()``; every file operation goes through them.
    private var incoming: Int32 = -1
    private var processing: Int32 = -1
    private var bad: Int32 = -1

    public var description: String { "SpoolIngest(\(directory.path))" }

    public init(directory: String, batcher: IngestBatcher, decoder: CommentDecoder, backpressure: Backpressure? = nil,
                logger: Logger) {
        self.directory = URL(fileURLWithPath: directory)
        self.batcher = batcher
        self.decoder = decoder
        self.backpressure = backpressure
        self.logger = logger
    }

    deinit {
        for descriptor in [incoming, processing, bad] where descriptor >= 0 { close(descriptor) }
    }

    /// Creates the folders (mode 0700), checks and opens them, and returns files a crash left
    /// half-done to `incoming/`.
    /// - Throws: ``PrivateFiles/Problem`` saying which folder cannot be trusted and why.
    public func prepare() throws(PrivateFiles.Problem) {
        let root = try PrivateFiles.prepareFolder(directory.path, what: "the spool folder", groupMayWrite: true)
        defer { close(root) }
        incoming = try PrivateFiles.openFolder("incoming", in: root, parentPath: directory.path, what: "the spool's incoming folder",
                                               groupMayWrite: true)
        processing = try PrivateFiles.openFolder("processing", in: root, parentPath: directory.path, what: "the spool's processing folder")
        bad = try PrivateFiles.openFolder("bad", in: root, parentPath: directory.path, what: "the spool's bad folder")
        for name in names(in: processing) {
            _ = renameat(processing, name, incoming, name)
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

    /// The names of the entries of an open folder, without `.` and `..`.
    func names(in folder: Int32) -> [String] {
        let copy = dup(folder)
        guard copy >= 0, let stream = fdopendir(copy) else { return [] }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Handles the files now in `incoming/`, in name order; returns how many it claimed. While the
    /// queue is full it stops, and the rest wait in `incoming/`, where they are safe.
    @discardableResult
    public func scanOnce() async -> Int {
        let names = names(in: incoming).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        var claimed = 0
        for name in names where !Task.isShuttingDownGracefully {
            if backpressure?.isFull == true { break }
            // The rename is the claim: if it fails, the file is gone or another process took it.
            guard renameat(incoming, name, processing, name) == 0 else { continue }
            claimed += 1
            await ingest(name)
        }
        return claimed
    }

    private func ingest(_ name: String) async {
        let data: Data
        switch Self.read(name, in: processing, limit: decoder.limits.maxRequestBytes) {
        case .success(let contents): data = contents
        case .failure(let problem):
            moveToBad(name, because: problem.reason)
            return
        }
        let comment: Comment
        do {
            comment = try decoder.decode(data)
        } catch {
            moveToBad(name, because: "\(error.code.rawValue): \(error.description)")
            return
        }
        do {
            let outcome = try await batcher.accept(comment)
            if outcome == .conflict {
                moveToBad(name, because: "id_conflict: a different comment was already accepted with id \(comment.id)")
                return
            }
            unlinkat(processing, name, 0)
            logger.debug("spool: accepted", metadata: ["comment.id": "\(comment.id)"])
        } catch let error as StoreError where error.code == .constraint {
            // The database refuses this comment: trying again would fail the same way, forever.
            moveToBad(name, because: "invalid_value: \(error.message)")
        } catch {
            // The database is unavailable: put the file back to try again.
            _ = renameat(processing, name, incoming, name)
            logger.error("spool: cannot store a comment; will retry", metadata: ["spool.file": "\(name)", "error": "\(error)"])
            try? await Task.sleep(for: .seconds(1))
        }
    }

    struct UnreadableFile: Error {
        var reason: String
    }

    /// Reads a claimed file if it is a regular file (not a link, pipe or device) of at most `limit` bytes.
    static func read(_ name: String, in folder: Int32, limit: Int) -> Result<Data, UnreadableFile> {
        // O_NONBLOCK so that opening a pipe does not wait for a writer; O_NOFOLLOW refuses links.
        let descriptor = openat(folder, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            return .failure(UnreadableFile(reason: errno == ELOOP ? "the file is a symbolic link" : "the file cannot be read"))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            return .failure(UnreadableFile(reason: "not a regular file"))
        }
        guard status.st_size <= limit else {
            return .failure(UnreadableFile(reason: "too_large: the file is larger than \(limit) bytes"))
        }
        let data = PrivateFiles.read(descriptor, limit: limit + 1)
        guard data.count <= limit else { return .failure(UnreadableFile(reason: "too_large: the file is larger than \(limit) bytes")) }
        return .success(data)
    }

    private func moveToBad(_ name: String, because reason: String) {
        _ = renameat(processing, name, bad, name)
        let errorFile = name + ".error"
        unlinkat(bad, errorFile, 0)
        let descriptor = openat(bad, errorFile, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            _ = PrivateFiles.write(Data((reason + "\n").utf8), to: descriptor)
            close(descriptor)
        }
        logger.warning("spool: refused a file", metadata: ["spool.file": "\(name)", "reason": "\(reason)"])
    }
}
