import Foundation
import GRDB
import Moderation

/// A signal as stored with the comment it concerns, read from the `signal` view (one row per signal
/// of the JSON array in `comment.signals`).
public struct StoredSignal: Codable, Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "signal"

    public var key: Int64?
    public var commentKey: Int64
    public var source: Signal.Source
    public var name: String
    public var score: Double
    public var action: RuleAction?
    public var explanation: String
    public var isShadow: Bool
    public var field: String?
    public var spanStart: Int?
    public var spanEnd: Int?
    public var matchedText: String?
    /// The rule failed or hit a limit instead of matching.
    public var isError: Bool

    enum CodingKeys: String, CodingKey {
        case key, source, name, score, action, explanation, field
        case commentKey = "comment_key"
        case isShadow = "is_shadow"
        case spanStart = "span_start"
        case spanEnd = "span_end"
        case matchedText = "matched_text"
        case isError = "is_error"
    }

    /// The signal as the domain sees it.
    public var signal: Signal {
        var span: Span?
        if let field = field.flatMap(CommentField.init(rawValue:)), let spanStart, let spanEnd {
            span = Span(field: field, utf8Start: spanStart, utf8End: spanEnd, text: matchedText ?? "")
        }
        return Signal(source: source, name: name, score: score, action: action, explanation: explanation,
                      isShadow: isShadow, span: span, isRuleError: isError)
    }
}

extension StoredSignal {
    /// A signal in the `signals` array of its comment's row; the keys are those the `signal` view reads.
    private struct Element: Codable {
        var source: Signal.Source
        var name: String
        var score: Double
        var action: RuleAction?
        var explanation: String
        var shadow: Bool?
        var field: String?
        var start: Int?
        var end: Int?
        var text: String?
        var error: Bool?

        init(_ signal: Signal) {
            source = signal.source
            name = signal.name
            score = signal.score
            action = signal.action
            explanation = signal.explanation
            shadow = signal.isShadow ? true : nil
            field = signal.span?.field.rawValue
            start = signal.span?.utf8Start
            end = signal.span?.utf8End
            text = signal.span?.text
            error = signal.isRuleError ? true : nil
        }
    }

    /// The signals as the JSON array stored with their comment, or `nil` for none.
    /// Signals from their JSON form (as ``json(_:encoder:)`` writes them); none from nil or unreadable text.
    static func signals(fromJSON text: String?) -> [Signal] {
        guard let text, let elements = try? JSONDecoder().decode([Element].self, from: Data(text.utf8)) else { return [] }
        return elements.map { element in
            var span: Span?
            if let field = element.field.flatMap(CommentField.init(rawValue:)), let start = element.start, let end = element.end {
                span = Span(field: field, utf8Start: start, utf8End: end, text: element.text ?? "")
            }
            return Signal(source: element.source, name: element.name, score: element.score, action: element.action,
                          explanation: element.explanation, isShadow: element.shadow ?? false, span: span, isRuleError: element.error ?? false)
        }
    }

    static func json(_ signals: [Signal], encoder: JSONEncoder) throws -> String? {
        guard !signals.isEmpty else { return nil }
        return String(decoding: try encoder.encode(signals.map(Element.init)), as: UTF8.self)
    }
}
