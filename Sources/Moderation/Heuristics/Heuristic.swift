/// A check that looks at a comment as a whole, rather than matching a pattern, and reports signals.
public protocol Heuristic: Sendable {
    /// The signals this heuristic finds in the comment (none when it has nothing to say).
    func evaluate(_ analysis: CommentAnalysis) -> [Signal]
}
