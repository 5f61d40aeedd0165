import Foundation

/// Times and periods on the command line: `90m`, `24h`, `7d`, `2w`, a date `2026-11-28`, or an ISO 8601 time.
public enum TimeArguments {
    /// A length of time such as `30d`, in seconds.
    public static func duration(_ text: String) -> TimeInterval? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]
        guard let unit = text.last, let seconds = units[unit], let amount = Double(text.dropLast()), amount > 0 else { return nil }
        return amount * seconds
    }

    /// A point in time: a duration ago, a date (midnight UTC), or an ISO 8601 time.
    public static func time(_ text: String, now: Date = Date()) -> Date? {
        if let seconds = duration(text) { return now.addingTimeInterval(-seconds) }
        if text.count == 10, let date = try? Date(text, strategy: Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day()) {
            return date
        }
        return try? Date(text, strategy: .iso8601)
    }

    public static let help = "a period ago such as 24h, 7d or 90m, a date such as 2026-11-28 (UTC), or an ISO 8601 time"
}
