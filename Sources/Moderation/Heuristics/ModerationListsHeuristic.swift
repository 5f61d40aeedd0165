/// Applies the site's own decisions: block lists reject, allow-lists approve (unless a rule forces a
/// hold), and article modes hold or refuse every comment on an article.
public struct ModerationListsHeuristic: Heuristic {
    public init() {}

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
            signals.append(Signal(source: .policy, name: "allow.\(allow.kind)", score: 0, action: .approve,
                                  explanation: "Allow-listed \(allow.kind) \(allow.value): approved unless a rule holds it"))
        }
        return signals
    }
}
