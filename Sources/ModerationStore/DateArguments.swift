import Foundation
import GRDB

/// Dates as statement arguments, each distinct date formatted once.
///
/// GRDB stores a `Date` as text made by a `DateFormatter`, which costs more than the indexed query the
/// date is for. Comments accepted together share their receipt time, so a batch needs few distinct
/// dates; the text is exactly what GRDB would have written.
struct DateArguments {
    private var formatted: [Date: DatabaseValue] = [:]

    /// The database value of a date.
    mutating func callAsFunction(_ date: Date) -> DatabaseValue {
        if let value = formatted[date] { return value }
        if formatted.count >= 256 { formatted.removeAll(keepingCapacity: true) }
        let value = date.databaseValue
        formatted[date] = value
        return value
    }
}
