import CSV
import Foundation

/// One row of a labelled comment file.
public struct LabeledRow: Sendable, Equatable {
    public var text: String
    public var label: String?
    public var author: String?
}

/// Comments read from a CSV file with a header row, by column name.
///
/// Quoted fields, doubled quotes and embedded newlines are handled by a real CSV parser.
public struct LabeledCSV: Sendable {
    public var path: String
    public var rows: [LabeledRow]

    /// Reads the named columns of every row.
    /// - Throws: ``ToolError`` naming the available columns when a column is missing.
    public static func load(path: String, textColumn: String, labelColumn: String? = nil,
                            authorColumn: String? = nil) throws -> LabeledCSV {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ToolError("cannot read \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ToolError("\(path) is not UTF-8 text")
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true)
        } catch {
            throw ToolError("\(path) is not a CSV file with a header row: \(error)")
        }
        let header = reader.headerRow ?? []
        func index(of column: String?) throws -> Int? {
            guard let column else { return nil }
            guard let found = header.firstIndex(of: column) else {
                throw ToolError("\(path) has no column \"\(column)\"; its columns are \(header.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
            return found
        }
        let textIndex = try index(of: textColumn)!
        let labelIndex = try index(of: labelColumn)
        let authorIndex = try index(of: authorColumn)
        var rows: [LabeledRow] = []
        while let row = reader.next() {
            guard textIndex < row.count else { continue }
            rows.append(LabeledRow(text: row[textIndex], label: labelIndex.flatMap { $0 < row.count ? row[$0] : nil },
                                   author: authorIndex.flatMap { $0 < row.count ? row[$0] : nil }))
        }
        if let error = reader.error {
            throw ToolError("\(path): CSV error after \(rows.count) rows: \(error)")
        }
        return LabeledCSV(path: path, rows: rows)
    }
}

/// A failure of an offline tool, shown as one line.
public struct ToolError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
