import Foundation
import Moderation
import ModerationStore

/// Writing to the terminal: plain text, JSON, and colour only when stdout is a terminal.
enum Output {
    /// The zone times are shown in: `MODERATO_TIME_ZONE` (such as `Europe/London`), else the system's.
    /// JSON output is always UTC.
    static let timeZone: TimeZone = ProcessInfo.processInfo.environment["MODERATO_TIME_ZONE"].flatMap(TimeZone.named) ?? .current

    /// Refuses a `MODERATO_TIME_ZONE` that names no zone.
    static func checkTimeZone() throws {
        if let name = ProcessInfo.processInfo.environment["MODERATO_TIME_ZONE"], !name.isEmpty, TimeZone.named(name) == nil {
            throw CLIError("MODERATO_TIME_ZONE is \(name), which names no time zone; use a name such as Europe/London or UTC")
        }
    }

    /// `2026-11-29 07:30 GMT`: a time in ``timeZone``, labelled.
    static func timestamp(_ date: Date, in zone: TimeZone = Output.timeZone) -> String {
        ModerationDatabase.timestamp(date, in: zone)
    }

    static let isTerminal = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        && ProcessInfo.processInfo.environment["TERM"] != "dumb"

    static func line(_ text: String = "") {
        print(text)
    }

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("modctl: \(message)\n".utf8))
    }

    /// Prints a value as JSON. Characters a terminal would act on, or that reorder text, are written as
    /// `\uXXXX` escapes: the same data for a program, harmless on a screen.
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        print(UntrustedText.escapingJSON(String(decoding: try encoder.encode(value), as: UTF8.self)))
    }

    /// Text from the database (what readers wrote, and anything derived from it) made safe for one
    /// line of a terminal: see ``UntrustedText``.
    static func safe(_ text: String) -> String {
        UntrustedText.singleLine(text)
    }

    enum Style: String {
        case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", blue = "34", inverse = "7"
    }

    static func styled(_ text: String, _ styles: Style...) -> String {
        guard isTerminal, !styles.isEmpty else { return text }
        return "\u{1B}[\(styles.map(\.rawValue).joined(separator: ";"))m\(text)\u{1B}[0m"
    }

    static func statusStyled(_ status: CommentStatus) -> String {
        switch status {
        case .approved: styled(status.rawValue, .green)
        case .held: styled(status.rawValue, .yellow)
        case .rejected: styled(status.rawValue, .red)
        case .queued: styled(status.rawValue, .dim)
        }
    }

    /// How long ago, briefly: `45s`, `12m`, `3h 5m`, `2d 4h`.
    static func age(since date: Date, now: Date = Date()) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" }
        if seconds < 86400 { return "\(seconds / 3600)h \(seconds % 3600 / 60)m" }
        return "\(seconds / 86400)d \(seconds % 86400 / 3600)h"
    }

    /// Text cut to a width, on one line.
    static func excerpt(_ text: String, width: Int) -> String {
        let flat = safe(text)
        guard flat.count > width else { return flat }
        return String(flat.prefix(max(1, width - 1))) + "…"
    }

    /// Pads or cuts to an exact width.
    static func cell(_ text: String, _ width: Int) -> String {
        let cut = excerpt(text, width: width)
        return cut + String(repeating: " ", count: max(0, width - cut.count))
    }

    static func stars(_ rating: Int) -> String {
        String(repeating: "★", count: rating) + String(repeating: "☆", count: max(0, 5 - rating))
    }

    /// Terminal width, or 100 when not a terminal.
    static var width: Int {
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return Int(size.ws_col)
        }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 20 { return columns }
        return 100
    }
}
