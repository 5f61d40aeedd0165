import Foundation

/// Where the model file is found when none is named: `$MODERATO_MODEL`; else `Models/moderato.model` in
/// the working folder (like `Rules/`); else the one in the source tree the running binary was built in
/// (`.build/debug/modctl` finds the checkout's `Models/`), or beside an installed binary in
/// `PREFIX/share/moderato/`.
public enum ModelLocation {
    public static let shipped = "Models/moderato.model"

    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["MODERATO_MODEL"], !path.isEmpty { return path }
        let files = FileManager.default
        if files.fileExists(atPath: shipped) { return shipped }
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        let installed = folder.deletingLastPathComponent().appendingPathComponent("share/moderato/moderato.model").path
        if files.fileExists(atPath: installed) { return installed }
        for _ in 0..<4 {
            folder = folder.deletingLastPathComponent()
            let candidate = folder.appendingPathComponent(shipped).path
            if files.fileExists(atPath: candidate) { return candidate }
        }
        return shipped
    }
}
