import Foundation
import Moderation

/// The rules of decisions and lessons, the same for every store: which decision is in force, what an
/// undo restores, who may override whom, and what a change of label does to the learning layer's
/// counts. The stores only read and write; they decide nothing themselves.
struct DecisionHistory {
    let decisions: [Decision]
    private let undone: Set<Int64>

    /// A comment's decisions, in sequence order.
    init(_ decisions: [Decision]) {
        self.decisions = decisions
        undone = Set(decisions.compactMap(\.undoes))
    }

    private func counts(_ decision: Decision) -> Bool { decision.undoes == nil && !undone.contains(decision.seq!) }

    /// The decision in force: the latest that is neither an undo nor undone.
    var inForce: Decision? { decisions.last(where: counts) }

    /// Refuses a new decision on a comment a person already decided, unless forced.
    func checkMayDecide(_ externalID: String, force: Bool) throws(StoreError) {
        if let last = inForce, last.actorKind.isReview, !force {
            throw StoreError(.alreadyDecided,
                "comment \(externalID) was already \(last.status.rawValue) by \(last.actor) at \(ModerationDatabase.timestamp(last.at)); pass --force to override")
        }
    }

    /// The status a reader's edit gets: the pipeline's verdict on the new text, but at least held when
    /// the latest person's decision in force (a moderator's, the site's, readers') held or rejected the
    /// comment, or when a moderator edited or redacted its text: editing is no way round a person.
    /// (The pipeline's verdicts on earlier edits do not count: two edits in a row change nothing.)
    /// - Returns: The status, and the reason it was held when the verdict alone would not hold it.
    func statusAfterEdit(judged: CommentStatus, moderatorRevised: Bool) -> (status: CommentStatus, heldBecause: String?) {
        guard judged == .approved else { return (judged, nil) }
        if let person = decisions.last(where: { counts($0) && $0.actorKind != .system }), person.status != .approved {
            let who = person.actorKind == .readers ? "readers' reports" : person.actor
            return (.held, "held, as \(who) had \(person.status.rawValue) it")
        }
        if moderatorRevised { return (.held, "held, as a moderator had edited its text") }
        return (judged, nil)
    }

    /// What undoing the latest person's decision does: the decision undone, the status to restore,
    /// and the label the remaining decisions teach (nil: none).
    func undo(_ externalID: String, by actor: String, force: Bool) throws(StoreError) -> (last: Decision, restore: CommentStatus, unwanted: Bool?) {
        // Undoing an undo would go in circles: undo the latest decision that is not an undo or undone.
        guard let last = decisions.last(where: { counts($0) && $0.actorKind.isReview }), let previous = last.previousStatus else {
            throw StoreError(.notFound, "comment \(externalID) has no moderator decision to undo")
        }
        if last.actor != actor && !force {
            throw StoreError(.alreadyDecided, "the latest decision on comment \(externalID) was made by \(last.actor) at "
                + "\(ModerationDatabase.timestamp(last.at)); pass --force to undo another moderator's decision")
        }
        let remaining = decisions.filter { $0.seq != last.seq && counts($0) && $0.actorKind.isReview && $0.status != .held }
        return (last, previous, remaining.last.map { $0.status == .rejected })
    }

    /// The undo's own decision.
    static func undoDecision(of last: Decision, commentKey: Int64, restoring status: CommentStatus, from current: CommentStatus,
                             by actor: String, revision: Int, at now: Date) -> Decision {
        Decision(commentKey: commentKey, status: status, previousStatus: current, actor: actor, actorKind: .moderator, reason: "undo",
                 note: "undid #\(last.seq!) (\(last.status.rawValue) by \(last.actor))", at: now, undoes: last.seq, revision: revision)
    }
}

/// What relabelling one comment does to the learning layer: the counts to add (negative to take
/// back), and the lesson to keep beside the comment (nil: forget it).
struct Relabel {
    var deltas: [UInt64: TokenCounts] = [:]
    var unwantedDocuments = 0
    var wantedDocuments = 0
    /// The lesson to store; nil to delete the stored one.
    var kept: (unwanted: Bool, tokens: [UInt64])?

    /// Nil when nothing changes (the same label again). `previous` is the stored lesson, if any;
    /// without `tokens` a comment learned before is relabelled with its kept tokens.
    init?(previous: (unwanted: Bool, tokens: [UInt64])?, unwanted: Bool?, tokens: [UInt64]?) {
        guard previous?.unwanted != unwanted else { return nil }
        if let previous {
            for hash in previous.tokens { deltas[hash, default: TokenCounts()].add(unwanted: previous.unwanted, -1) }
            if previous.unwanted { unwantedDocuments -= 1 } else { wantedDocuments -= 1 }
        }
        if let unwanted, let taught = tokens ?? previous?.tokens {
            for hash in taught { deltas[hash, default: TokenCounts()].add(unwanted: unwanted, 1) }
            if unwanted { unwantedDocuments += 1 } else { wantedDocuments += 1 }
            kept = (unwanted, taught)
        }
    }

    /// The counts of lessons learned together (`trainClassifier`).
    static func counts(of lessons: some Collection<Lesson>) -> (deltas: [UInt64: TokenCounts], unwanted: Int, wanted: Int) {
        var deltas: [UInt64: TokenCounts] = [:]
        var unwanted = 0
        var wanted = 0
        for lesson in lessons {
            for token in lesson.tokens { deltas[token, default: TokenCounts()].add(unwanted: lesson.unwanted, 1) }
            if lesson.unwanted { unwanted += 1 } else { wanted += 1 }
        }
        return (deltas, unwanted, wanted)
    }
}
