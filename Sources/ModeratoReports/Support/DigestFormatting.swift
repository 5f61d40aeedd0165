import Foundation
import Moderation

/// Numbers, shares, durations and dates as every digest format writes them.
///
/// Everything is done by hand or in UTC with the Gregorian calendar, never with the machine's locale,
/// so that a digest reads the same on every server and golden tests stay stable.
enum DigestFormatting {
    /// `1,234`: an integer with thousands separators.
    static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return n < 0 ? "-" + grouped : grouped
    }

    /// `1 comment`, `1,234 comments`.
    static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(count(n)) \(n == 1 ? singular : plural ?? singular + "s")"
    }

    /// `3.9`, `1,051.4`: a number rounded half away from zero, with thousands separators.
    static func decimal(_ x: Double, fractionDigits: Int = 1) -> String {
        guard x.isFinite else { return "n/a" }
        var scale = 1
        for _ in 0..<fractionDigits { scale *= 10 }
        let scaled = (x.magnitude * Double(scale)).rounded()
        guard scaled < 1e15 else { return "n/a" }
        let units = Int(scaled)
        let sign = x < 0 && units > 0 ? "-" : ""
        guard fractionDigits > 0 else { return sign + count(units) }
        let fraction = String(units % scale)
        let padded = String(repeating: "0", count: fractionDigits - fraction.count) + fraction
        return sign + count(units / scale) + "." + padded
    }

    /// `85%`: a share from 0 to 1 as a whole percentage. Never says `0%` or `100%` for a share that is
    /// neither, so that one held comment out of a thousand still shows.
    static func percent(_ share: Double) -> String {
        guard share.isFinite else { return "n/a" }
        let rounded = (share * 100).rounded()
        if share > 0 && rounded < 1 { return "<1%" }
        if share < 1 && rounded > 99 { return ">99%" }
        return "\(Int(rounded))%"
    }

    /// The share `part / whole` as a percentage, `0%` when `whole` is zero.
    static func percent(_ part: Int, of whole: Int) -> String {
        whole > 0 ? percent(Double(part) / Double(whole)) : "0%"
    }

    /// `45s`, `12m`, `3h 20m`, `2d 4h`: a waiting time, to the two largest units.
    static func duration(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite else { return "n/a" }
        let total = Int(seconds.magnitude.rounded())
        let (days, hours, minutes, secs) = (total / 86_400, total % 86_400 / 3_600, total % 3_600 / 60, total % 60)
        if days > 0 { return hours > 0 ? "\(count(days))d \(hours)h" : "\(count(days))d" }
        if hours > 0 { return minutes > 0 ? "\(hours)h \(minutes)m" : "\(hours)h" }
        if minutes > 0 { return secs > 0 && minutes < 10 ? "\(minutes)m \(secs)s" : "\(minutes)m" }
        return "\(secs)s"
    }

    /// `180 ms`, `1.2 s`, `3m 5s`: a processing time, finer than a waiting time below a minute.
    static func latency(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite else { return "n/a" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return "\(decimal(seconds)) s" }
        return duration(seconds)
    }

    /// `24h`, `1.5h`: a number of hours, such as the SLA.
    static func hours(_ hours: Double) -> String {
        hours.rounded() == hours ? "\(decimal(hours, fractionDigits: 0))h" : "\(decimal(hours))h"
    }
}

/// Dates in the digest's time zone (UTC unless one is given), in English, independent of the
/// machine's locale.
struct DigestDates: Sendable {
    private let calendar: Calendar
    let timeZone: TimeZone

    init(timeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
        self.timeZone = timeZone
    }

    /// `UTC`, `GMT`, `GMT+1`: the label of the zone's clock at a date.
    func zone(_ date: Date) -> String {
        timeZone.label(at: date)
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    private func parts(_ date: Date) -> DateComponents {
        calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
    }

    private static func twoDigits(_ n: Int?) -> String {
        let n = n ?? 0
        return n < 10 ? "0\(n)" : "\(n)"
    }

    /// `07:00`.
    func time(_ date: Date) -> String {
        let p = parts(date)
        return "\(Self.twoDigits(p.hour)):\(Self.twoDigits(p.minute))"
    }

    /// `28 Nov`.
    func day(_ date: Date) -> String {
        let p = parts(date)
        return "\(p.day ?? 1) \(Self.months[(p.month ?? 1) - 1])"
    }

    /// `Sat 28 Nov`.
    func weekday(_ date: Date) -> String {
        "\(Self.weekdays[(parts(date).weekday ?? 1) - 1]) \(day(date))"
    }

    /// The hour of the day, 0 to 23.
    func hour(_ date: Date) -> Int {
        parts(date).hour ?? 0
    }

    /// `2026`.
    func year(_ date: Date) -> Int {
        parts(date).year ?? 0
    }

    /// `28 Nov 07:00`, or `28 Nov 2026 07:00` with the year.
    func dayTime(_ date: Date, withYear: Bool = false) -> String {
        withYear ? "\(day(date)) \(year(date)) \(time(date))" : "\(day(date)) \(time(date))"
    }

    /// `2026-11-28`.
    func isoDay(_ date: Date) -> String {
        let p = parts(date)
        return "\(p.year ?? 0)-\(Self.twoDigits(p.month))-\(Self.twoDigits(p.day))"
    }
}
