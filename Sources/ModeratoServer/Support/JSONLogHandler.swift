import Foundation
import Logging
import Synchronization

/// Logs one JSON object per line on standard error, for log collectors: `time` (ISO 8601, UTC, with
/// milliseconds), `level`, `logger` (the label), `message` (a constant sentence), `source` and every
/// metadata value as its own key (nested metadata as objects and arrays).
///
/// ```json
/// {"time":"2026-12-06T07:30:01.123Z","level":"info","logger":"moderatod","message":"rules loaded","rules.count":"90"}
/// ```
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private static let output = Mutex<FileHandle>(FileHandle.standardError)

    public init(label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
                    file: String, function: String, line: UInt) {
        var object: [String: Any] = [:]
        var merged = self.metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit { merged.merge(explicit) { $1 } }
        for (key, value) in merged { object[key] = Self.json(value) }
        object["time"] = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        object["level"] = level.rawValue
        object["logger"] = label
        object["message"] = message.description
        object["source"] = source
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        data.append(0x0A)
        Self.output.withLock { $0.write(data) }
    }

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let string): return string
        case .stringConvertible(let convertible): return convertible.description
        case .array(let values): return values.map(json)
        case .dictionary(let values): return values.mapValues(json)
        }
    }
}
