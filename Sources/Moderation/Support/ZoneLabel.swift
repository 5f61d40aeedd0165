import Foundation

extension TimeZone {
    /// How a time in this zone is labelled for people: `UTC` for UTC, else the zone's abbreviation at
    /// that date (`GMT`, `GMT+1` for London in summer), so a reader always knows which clock it is.
    public func label(at date: Date) -> String {
        // Foundation may name UTC "GMT"; a zone that is UTC by name reads as UTC (London in winter stays GMT).
        if ["UTC", "GMT", "Etc/UTC", "Etc/GMT", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"].contains(identifier) { return "UTC" }
        return abbreviation(for: date) ?? identifier
    }

    /// The zone a name gives (`Europe/London`, `UTC`), if it is one.
    public static func named(_ name: String) -> TimeZone? {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : TimeZone(identifier: trimmed)
    }
}
