import Foundation

/// The folders and files the daemon keeps for itself (the database's folder, the development token,
/// the lock, the spool's working folders), opened so that nobody else can swap them: symbolic links
/// are refused rather than followed, and what is found is checked on the open descriptor, not by path.
///
/// A private folder is a real folder (not a link), owned by the daemon's user, that no group or other
/// user can write to; a private file is a regular file owned by that user that no one else can read or
/// write.
public enum PrivateFiles {
    /// A problem with a path the daemon would use, in a sentence that says what to do.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// Creates a folder (and its parents) with mode 0700 when missing, then checks it is private.
    /// - Returns: A descriptor for the folder, opened without following links (the caller closes it).
    @discardableResult
    public static func prepareFolder(_ path: String, what: String, groupMayWrite: Bool = false) throws(Problem) -> Int32 {
        if !FileManager.default.fileExists(atPath: path) {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw Problem("cannot create \(what) \(path): \(error.localizedDescription)")
            }
        }
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw folderProblem(path, what: what, errno: errno) }
        do {
            try checkPrivateFolder(descriptor, path: path, what: what, groupMayWrite: groupMayWrite)
        } catch {
            close(descriptor)
            throw error
        }
        return descriptor
    }

    /// Opens (creating with mode 0700 if missing) a folder inside an open folder, refusing links, and
    /// checks it is private.
    public static func openFolder(_ name: String, in parent: Int32, parentPath: String, what: String,
                                  groupMayWrite: Bool = false) throws(Problem) -> Int32 {
        let path = parentPath + "/" + name
        if mkdirat(parent, name, 0o700) != 0 && errno != EEXIST {
            throw Problem("cannot create \(what) \(path): \(String(cString: strerror(errno)))")
        }
        let descriptor = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw folderProblem(path, what: what, errno: errno) }
        do {
            try checkPrivateFolder(descriptor, path: path, what: what, groupMayWrite: groupMayWrite)
        } catch {
            close(descriptor)
            throw error
        }
        return descriptor
    }

    static func folderProblem(_ path: String, what: String, errno code: Int32) -> Problem {
        // With O_DIRECTORY, Linux reports a link as "not a directory": look at the entry itself.
        var status = stat()
        let isLink = lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK
        switch isLink ? ELOOP : code {
        case ELOOP:
            return Problem("\(what) \(path) is a symbolic link; give the real folder instead, or replace the link with a folder of its own")
        case ENOTDIR:
            return Problem("\(what) \(path) is not a folder")
        default:
            return Problem("cannot open \(what) \(path): \(String(cString: strerror(code)))")
        }
    }

    /// Checks an open folder: owned by this user, and writable by no other (or, with `groupMayWrite`,
    /// by no one outside its group).
    public static func checkPrivateFolder(_ descriptor: Int32, path: String, what: String, groupMayWrite: Bool = false) throws(Problem) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Problem("cannot inspect \(what) \(path): \(String(cString: strerror(errno)))") }
        guard status.st_mode & S_IFMT == S_IFDIR else { throw Problem("\(what) \(path) is not a folder") }
        guard status.st_uid == geteuid() else {
            throw Problem("\(what) \(path) belongs to another user (uid \(status.st_uid)); it must belong to the user moderatod runs as (uid \(geteuid()))")
        }
        let forbidden: mode_t = groupMayWrite ? 0o002 : 0o022
        guard status.st_mode & forbidden == 0 else {
            let mode = String(status.st_mode & 0o777, radix: 8)
            throw Problem("\(what) \(path) can be written by \(groupMayWrite ? "any user" : "other users") (mode \(mode)); "
                + "make it private: chmod \(groupMayWrite ? "o-w" : "go-w") \(path)")
        }
    }

    /// Checks an open file: a regular file owned by this user that no one else can read or write.
    public static func checkPrivateFile(_ descriptor: Int32, path: String, what: String) throws(Problem) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Problem("cannot inspect \(what) \(path): \(String(cString: strerror(errno)))") }
        guard status.st_mode & S_IFMT == S_IFREG else { throw Problem("\(what) \(path) is not a regular file") }
        guard status.st_uid == geteuid() else {
            throw Problem("\(what) \(path) belongs to another user (uid \(status.st_uid)); remove it or give it to uid \(geteuid())")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw Problem("\(what) \(path) can be read or written by other users (mode \(String(status.st_mode & 0o777, radix: 8))); "
                + "remove it, or make it private: chmod 600 \(path)")
        }
    }

    /// Opens a file for reading without following a link. Nil when it does not exist.
    public static func openExisting(_ path: String, what: String) throws(Problem) -> Int32? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            if errno == ELOOP { throw Problem("\(what) \(path) is a symbolic link; remove it") }
            throw Problem("cannot open \(what) \(path): \(String(cString: strerror(errno)))")
        }
        return descriptor
    }

    /// Reads what is left of an open file, up to `limit` bytes.
    public static func read(_ descriptor: Int32, limit: Int) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while data.count < limit {
            let count = Foundation.read(descriptor, &buffer, min(buffer.count, limit - data.count))
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return data
    }

    /// Writes all of `data` to an open file.
    public static func write(_ data: Data, to descriptor: Int32) -> Bool {
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return false }
                offset += written
            }
            return true
        }
    }
}

/// The lock that makes a database one daemon's: a file beside the database (`NAME.pid`) holding the
/// daemon's process id, under a POSIX record lock held for the daemon's whole life. A second daemon on
/// the same database cannot take it and stops at start; `modctl` asks the kernel which process holds
/// it, so a stale or forged process id in the file is never signalled.
public final class DaemonLock: @unchecked Sendable {
    /// The lock file.
    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// The lock file of a database: `moderato.sqlite.pid` beside `moderato.sqlite`, by the real path, so
    /// two names for one database share one lock.
    public static func path(forDatabase databasePath: String) -> String {
        let url = URL(fileURLWithPath: databasePath)
        let folder = url.deletingLastPathComponent().path
        var resolved = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let realFolder = realpath(folder, &resolved) != nil ? String(cString: resolved) : folder
        var name = url.lastPathComponent
        // A database file that is itself a link locks its target's name.
        let full = realFolder + "/" + name
        if realpath(full, &resolved) != nil {
            let target = URL(fileURLWithPath: String(cString: resolved))
            return target.deletingLastPathComponent().path + "/" + target.lastPathComponent + ".pid"
        }
        name += ".pid"
        return realFolder + "/" + name
    }

    /// Takes the lock for the daemon's lifetime and writes this process's id into the file.
    /// - Throws: ``PrivateFiles/Problem`` when another process holds it, or the file is not the daemon's own.
    public static func acquire(forDatabase databasePath: String) throws(PrivateFiles.Problem) -> DaemonLock {
        let path = path(forDatabase: databasePath)
        let descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            if errno == ELOOP { throw PrivateFiles.Problem("the lock file \(path) is a symbolic link; remove it") }
            throw PrivateFiles.Problem("cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        do {
            try PrivateFiles.checkPrivateFile(descriptor, path: path, what: "the lock file")
        } catch {
            close(descriptor)
            throw error
        }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        guard fcntl(descriptor, F_SETLK, &lock) == 0 else {
            let holder = Self.holder(descriptor)
            close(descriptor)
            throw PrivateFiles.Problem("another moderatod\(holder.map { " (pid \($0))" } ?? "") is already serving the database "
                + "\(databasePath); stop it first, or give this one another database")
        }
        ftruncate(descriptor, 0)
        _ = PrivateFiles.write(Data("\(getpid())\n".utf8), to: descriptor)
        return DaemonLock(path: path, descriptor: descriptor)
    }

    /// The process holding the lock on a database, if a daemon is running on it. (For `modctl`: a
    /// daemon must not ask, since closing any descriptor of the file drops a process's own lock.)
    public static func holder(forDatabase databasePath: String) -> pid_t? {
        let descriptor = open(path(forDatabase: databasePath), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return holder(descriptor)
    }

    static func holder(_ descriptor: Int32) -> pid_t? {
        var query = flock()
        query.l_type = Int16(F_WRLCK)
        query.l_whence = Int16(SEEK_SET)
        guard fcntl(descriptor, F_GETLK, &query) == 0, query.l_type != Int16(F_UNLCK), query.l_pid > 0 else { return nil }
        return query.l_pid
    }

    /// Empties the file and releases the lock (the file stays: removing it would let two daemons lock
    /// two different files of the same name).
    public func release() {
        ftruncate(descriptor, 0)
        close(descriptor)
    }
}
