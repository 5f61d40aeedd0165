/// One piece of evidence about a comment.
///
/// A signal comes from a rule, a heuristic, the classifier or the pipeline itself; it carries a score
/// (positive counts against the comment), a plain-English explanation for the moderator and, when it
/// comes from text, the span it matched in the reader's original text.
public struct Signal: Sendable, Equatable, Codable {
    /// Where a signal comes from.
    public enum Source: String, Sendable, Codable, CaseIterable {
        case rule, heuristic, classifier, policy, pipeline
    }

    public var source: Source
    /// The rule id (`spam.casino`) or heuristic name (`links.count`).
    public var name: String
    public var score: Double
    /// A forced outcome, for rules with an action and for blocks, allow-lists and article modes.
    public var action: RuleAction?
    /// One sentence a moderator understands.
    public var explanation: String
    /// A shadow signal is recorded but does not affect the verdict.
    public var isShadow: Bool
    /// The matched text, when the signal comes from text.
    public var span: Span?

    /// Whether this signal reports a rule that failed or hit a limit rather than matched.
    public var isRuleError: Bool

    public init(source: Source, name: String, score: Double, action: RuleAction? = nil, explanation: String,
                isShadow: Bool = false, span: Span? = nil, isRuleError: Bool = false) {
        self.isRuleError = isRuleError
        self.source = source
        self.name = name
        self.score = score
        self.action = action
        self.explanation = explanation
        self.isShadow = isShadow
        self.span = span
    }
}

/// Where a signal matched: a field of the comment and a range of its original text.
public struct Span: Sendable, Equatable, Codable {
    public var field: CommentField
    /// Offsets in UTF-8 code units into the original (not normalized) text of the field.
    public var utf8Start: Int
    public var utf8End: Int
    /// The original text that matched.
    public var text: String

    public init(field: CommentField, utf8Start: Int, utf8End: Int, text: String) {
        self.field = field
        self.utf8Start = utf8Start
        self.utf8End = utf8End
        self.text = text
    }
}

/// An outcome a rule or setting can force, whatever the score.
public enum RuleAction: String, Sendable, Codable, CaseIterable {
    case hold, reject, approve
}
