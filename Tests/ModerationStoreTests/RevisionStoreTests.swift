import Foundation
import Judging
import Moderation
@testable import ModerationStore
import ModeratoTestSupport
import Testing

/// Edits on both stores: a reader's edit is judged again and no way round a person's decision, a
/// moderator's edit or redaction keeps the original, the feed carries the text now, the hourly counts
/// stay exact, and erasure takes the old texts too.
@Suite struct RevisionStoreTests {
    static let base = Date(timeIntervalSince1970: 1_795_849_200)

    static func judgement(_ verdict: Verdict, _ reason: String = "test") -> Judgement {
        let signals = verdict == .approved ? [] : [Signal(source: .rule, name: "civility.insult", score: 6, explanation: "An insult")]
        return Judgement(verdict: verdict, score: verdict == .approved ? 0 : 6, signals: signals, reason: reason, rulesetVersion: "t2")
    }

    @Test(arguments: TestStore.available) func editsKeepTheOriginalAndTheCountsExact(store kind: TestStore) async throws {
        let (store, directory) = try await ReportStoreTests.store(kind)
        _ = directory
        // A reader edits a published comment into an insult: judged again, held.
        let outcome = try await store.revise("a1", body: "You are an idiot.", rating: 1, judgement: Self.judgement(.held, "score 6"),
                                             at: Self.base.addingTimeInterval(600))
        #expect(outcome.changed && outcome.status == .held && outcome.revision == 1)
        #expect(outcome.decision?.actorKind == .system && outcome.decision?.previousStatus == .approved
                && outcome.decision?.reason == "edited by the reader: score 6")
        let details = try #require(try await store.details(of: "a1"))
        #expect(details.comment.body == "You are an idiot." && details.comment.rating == 1 && details.comment.isEdited)
        #expect(details.signals.map(\.name) == ["civility.insult"] && details.lastRevisionKind == .edit)
        let revisions = try await store.revisions(of: "a1")
        #expect(revisions.count == 1 && revisions[0].previousBody.hasPrefix("Comment a1 about") && revisions[0].previousRating == 4)
        // The same text again changes nothing.
        #expect(!(try await store.revise("a1", body: "You are an idiot.", rating: 1, judgement: nil, at: Self.base)).changed)
        // The feed carries the text now.
        let last = try #require(try await store.decisions(after: 0, limit: 100).last)
        #expect(last.externalID == "a1" && last.revision == 1 && last.body == "You are an idiot.")
        #expect(try await store.recount(onlyCheck: true) == [])

        // A comment a moderator rejected is held at least, however the new text is judged.
        try await Decider(store: store).decide("a2", verdict: .rejected, actor: "ann", reason: "abuse", at: Self.base.addingTimeInterval(700))
        let around = try await store.revise("a2", body: "A perfectly polite comment.", rating: 4, judgement: Self.judgement(.approved),
                                            at: Self.base.addingTimeInterval(800))
        #expect(around.status == .held && around.decision?.reason == "edited by the reader: held, as a person had rejected it")
        // A moderator can then decide it without --force (the pipeline spoke last).
        try await Decider(store: store).decide("a2", verdict: .approved, actor: "bob", reason: nil, at: Self.base.addingTimeInterval(900))

        // A queued comment is edited in place and judged later; the judgement must match the status.
        #expect(try await store.revise("q1", body: "Edited before its verdict.", rating: 5, judgement: nil, at: Self.base).status == .queued)
        #expect(try await store.queuedComment(externalID: "q1")?.comment.body == "Edited before its verdict.")
        await #expect(throws: StoreError.self) {
            _ = try await store.revise("q1", body: "Again.", rating: 5, judgement: Self.judgement(.approved), at: Self.base)
        }
        await #expect(throws: StoreError.self) { _ = try await store.revise("a3", body: "Unjudged.", rating: 5, judgement: nil, at: Self.base) }
        await #expect(throws: StoreError.self) { _ = try await store.revise("nope", body: "x", rating: 5, judgement: nil, at: Self.base) }
        #expect(try await store.details(of: "a3")?.comment.isEdited == false)
        #expect(try await store.recount(onlyCheck: true) == [])
    }

    @Test(arguments: TestStore.available) func moderatorsEditsAndRedactions(store kind: TestStore) async throws {
        let (store, directory) = try await ReportStoreTests.store(kind)
        _ = directory
        let before = try await store.decisions(after: 0, limit: 100).count
        // A held comment: edited without a decision; its approval carries the new text.
        let held = try await store.edit("h1", body: "Edited by a moderator.", kind: .moderatorEdit, actor: "ann", reason: "tone", at: Self.base)
        #expect(held.changed && held.decision == nil && held.status == .held)
        #expect(try await store.decisions(after: 0, limit: 100).count == before)
        try await Decider(store: store).decide("h1", verdict: .approved, actor: "ann", reason: nil, at: Self.base.addingTimeInterval(60))
        let approval = try #require(try await store.decisions(after: 0, limit: 100).last)
        #expect(approval.externalID == "h1" && approval.body == "Edited by a moderator.")
        // A published comment: the redaction is the moderator's approval of the new text, in the feed.
        let body = try #require(try await store.details(of: "a1")?.comment.body)
        let redacted = try #require(Redaction.apply(0..<7, to: body))
        let redaction = try await store.edit("a1", body: redacted, kind: .redaction, actor: "ann", reason: "name", at: Self.base.addingTimeInterval(120))
        #expect(redaction.decision?.status == .approved && redaction.decision?.actor == "ann" && redaction.decision?.reason == "redacted: name")
        let last = try #require(try await store.decisions(after: 0, limit: 100).last)
        #expect(last.body == redacted && redacted.hasPrefix("[removed]"))
        #expect(try await store.revisions(of: "a1").first?.previousBody == body)
        await #expect(throws: StoreError.self) { _ = try await store.edit("q1", body: "x", kind: .moderatorEdit, actor: "ann", reason: nil, at: Self.base) }
        #expect(try await store.recount(onlyCheck: true) == [])
        // Erasure takes the texts the edits replaced.
        #expect(try await store.forget(author: "Reader") > 0)
        #expect(try await store.revisions(of: "a1").isEmpty)
    }

    @Test func redactionCountsCharacters() {
        #expect(Redaction.apply(5..<10, to: "Call 555-1 now") == "Call [removed] now")
        #expect(Redaction.apply(0..<2, to: "é́x") == "[removed]")
        #expect(Redaction.apply(3..<9, to: "short") == nil)
        #expect(Redaction.apply(2..<2, to: "short") == nil)
    }
}
