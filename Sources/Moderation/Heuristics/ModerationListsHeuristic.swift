/// Applies the site's own decisions: block lists reject, allow-lists count in a comment's favour, and
/// article modes hold or refuse every comment on an article.
///
/// An allow-list entry lowers the score; it never approves on its own. A comment from an allow-listed
/// author can still be held by a rule that forces a hold (personal data, a legal risk) and held or
/// rejected when the rest of its score is high enough: a trusted name, an address or a link to an
/// allowed site must not carry spam or abuse past the moderation.
public struct ModerationListsHeuristic: Heuristic {
    /// Settings for block and allow lists.
    public struct Configuration: Sendable, Equatable {
        /// The score an allow-list entry adds (negative: in the comment's favour). The default is -5,
        /// which cancels the default hold threshold's worth of evidence.
        public var allowScore: Double = -5
        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public func evaluate(_ analysis: CommentAnalysis) -> [Signal] {
        let context = analysis.context
        var signals: [Signal] = []
        for block in context.blocks {
            let why = block.reason.map { ": \($0)" } ?? ""
            signals.append(Signal(source: .policy, name: "block.\(block.kind)", score: 0, action: .reject,
                                  explanation: "Blocked \(block.kind) \(block.value)\(why)"))
        }
        switch context.articleMode {
        case .open:
            break
        case .premoderate:
            signals.append(Signal(source: .policy, name: "article.premoderate", score: 0, action: .hold,
                                  explanation: "This article is pre-moderated: every comment waits for a moderator"))
        case .closed:
            signals.append(Signal(source: .policy, name: "article.closed", score: 0, action: .reject,
                                  explanation: "Comments on this article are closed"))
        }
        if let allow = context.allows.first, context.blocks.isEmpty {
            let what = allow.kind == "domain" ? "Links only to allow-listed domains (\(allow.value))" : "Allow-listed \(allow.kind) \(allow.value)"
            signals.append(Signal(source: .policy, name: "allow.\(allow.kind)", score: configuration.allowScore,
                                  explanation: "\(what): counts in the comment's favour; rules that hold or reject still apply"))
        }
        return signals
    }
}
