import Foundation

/// Where the package, its rules and its built binaries are, for tests.
public enum TestPaths {
    /// The package root, found from this file's location.
    public static let packageRoot: URL = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    /// The shipped rule packs.
    public static var rulesDirectory: URL { packageRoot.appendingPathComponent("Rules") }

    /// The folder with the built `moderatod` and `modctl`: `MODERATO_BIN_DIR`, else `.build/debug`.
    public static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["MODERATO_BIN_DIR"] {
            return URL(fileURLWithPath: dir)
        }
        return packageRoot.appendingPathComponent(".build/debug")
    }

    /// A built executable of this package.
    public static func executable(_ name: String) -> URL {
        binDirectory.appendingPathComponent(name)
    }
}

/// A temporary folder removed when the value is deinitialised.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL

    public init(_ label: String = "moderato-test") {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the folder.
    public func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// Writes a file inside the folder and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) -> String {
        let target = url.appendingPathComponent(name)
        try! FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! text.write(to: target, atomically: true, encoding: .utf8)
        return target.path
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
