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
                                             revision: 0, at: Self.base.addingTimeInterval(600))
        #expect(outcome.changed && outcome.status == .held && outcome.revision == 1)
        #expect(outcome.decision?.actorKind == .system && outcome.decision?.previousStatus == .approved
                && outcome.decision?.reason == "edited by the reader: score 6")
        let details = try #require(try await store.details(of: "a1"))
        #expect(details.comment.body == "You are an idiot." && details.comment.rating == 1 && details.comment.isEdited)
        #expect(details.signals.map(\.name) == ["civility.insult"] && details.lastRevisionKind == .edit)
        let revisions = try await store.revisions(of: "a1")
        #expect(revisions.count == 1 && revisions[0].previousBody.hasPrefix("Comment a1 about") && revisions[0].previousRating == 4)
        // The same text again changes nothing; an edit judged against an older revision is refused.
        #expect(!(try await store.revise("a1", body: "You are an idiot.", rating: 1, judgement: Self.judgement(.held), revision: 1,
                                         at: Self.base)).changed)
        await #expect(throws: StoreError.self) {
            _ = try await store.revise("a1", body: "Something else.", rating: 1, judgement: Self.judgement(.approved), revision: 0, at: Self.base)
        }
        // The feed carries the text now.
        let feed = try await store.decisions(after: 0, limit: 100)
        let last = try #require(feed.last)
        #expect(last.externalID == "a1" && last.revision == 1 && last.body == "You are an idiot.")
        // The verdict on the text as it arrived keeps that text (no body: not edited then).
        #expect(feed.first { $0.externalID == "a1" }.map { $0.revision == 0 && $0.body == nil } == true)
        #expect(try await store.recount(onlyCheck: true) == [])

        // A comment a moderator rejected is held at least, however the new text is judged, and a second edit changes nothing to that.
        try await Decider(store: store).decide("a2", verdict: .rejected, actor: "ann", reason: "abuse", at: Self.base.addingTimeInterval(700))
        let around = try await store.revise("a2", body: "A perfectly polite comment.", rating: 4, judgement: Self.judgement(.approved),
                                            revision: 0, at: Self.base.addingTimeInterval(800))
        #expect(around.status == .held && around.decision?.reason == "edited by the reader: held, as ann had rejected it")
        let again = try await store.revise("a2", body: "A perfectly polite comment, twice.", rating: 4, judgement: Self.judgement(.approved),
                                           revision: 1, at: Self.base.addingTimeInterval(810))
        #expect(again.status == .held)
        // A moderator can then decide it without --force (the pipeline spoke last), and later edits are judged freely.
        try await Decider(store: store).decide("a2", verdict: .approved, actor: "bob", reason: nil, at: Self.base.addingTimeInterval(900))
        #expect(try await store.revise("a2", body: "Polite, thrice.", rating: 4, judgement: Self.judgement(.approved), revision: 2,
                                       at: Self.base.addingTimeInterval(910)).status == .approved)
        // Readers' holds too.
        _ = try await store.report("a3", ReaderReport(reporter: "r-1", reason: .legal), policy: .default, at: Self.base.addingTimeInterval(920))
        #expect(try await store.revise("a3", body: "Nothing to see.", rating: 4, judgement: Self.judgement(.approved), revision: 0,
                                       at: Self.base.addingTimeInterval(930)).decision?.reason == "edited by the reader: held, as readers' reports had held it")

        // A comment still queued is refused (a worker may be judging its first text); unknown ids too.
        await #expect(throws: StoreError.self) {
            _ = try await store.revise("q1", body: "Again.", rating: 5, judgement: Self.judgement(.approved), revision: 0, at: Self.base)
        }
        await #expect(throws: StoreError.self) {
            _ = try await store.revise("nope", body: "x", rating: 5, judgement: Self.judgement(.approved), revision: 0, at: Self.base)
        }
        #expect(try await store.details(of: "q1")?.comment.isEdited == false)
        // Edits are capped per comment (each keeps the text it replaced).
        for revision in 0..<RevisionOutcome.maximumRevisions {
            _ = try await store.revise("a4", body: "Version \(revision + 1).", rating: 4, judgement: Self.judgement(.approved), revision: revision,
                                       at: Self.base.addingTimeInterval(1_000 + Double(revision)))
        }
        await #expect(throws: StoreError.self) {
            _ = try await store.revise("a4", body: "One too many.", rating: 4, judgement: Self.judgement(.approved),
                                       revision: RevisionOutcome.maximumRevisions, at: Self.base.addingTimeInterval(2_000))
        }
        #expect(try await store.recount(onlyCheck: true) == [])
    }

    @Test(arguments: TestStore.available) func moderatorsEditsAndRedactions(store kind: TestStore) async throws {
        let (store, directory) = try await ReportStoreTests.store(kind)
        _ = directory
        let before = try await store.decisions(after: 0, limit: 100).count
        // A held comment: edited without a decision; its approval carries the new text.
        await #expect(throws: StoreError.self) {
            _ = try await store.edit("h1", body: "Stale.", kind: .moderatorEdit, actor: "ann", reason: nil, revision: 3, at: Self.base)
        }
        let held = try await store.edit("h1", body: "Edited by a moderator.", kind: .moderatorEdit, actor: "ann", reason: "tone", revision: 0, at: Self.base)
        #expect(held.changed && held.decision == nil && held.status == .held)
        #expect(try await store.decisions(after: 0, limit: 100).count == before)
        try await Decider(store: store).decide("h1", verdict: .approved, actor: "ann", reason: nil, at: Self.base.addingTimeInterval(60))
        let approval = try #require(try await store.decisions(after: 0, limit: 100).last)
        #expect(approval.externalID == "h1" && approval.body == "Edited by a moderator.")
        // A published comment: the redaction is the moderator's approval of the new text, in the feed.
        let body = try #require(try await store.details(of: "a1")?.comment.body)
        let redacted = try #require(Redaction.apply(0..<7, to: body))
        let redaction = try await store.edit("a1", body: redacted, kind: .redaction, actor: "ann", reason: "name", revision: 0,
                                             at: Self.base.addingTimeInterval(120))
        #expect(redaction.decision?.status == .approved && redaction.decision?.actor == "ann" && redaction.decision?.reason == "redacted: name")
        let last = try #require(try await store.decisions(after: 0, limit: 100).last)
        #expect(last.body == redacted && redacted.hasPrefix("[removed]"))
        #expect(try await store.revisions(of: "a1").first?.previousBody == body)
        await #expect(throws: StoreError.self) {
            _ = try await store.edit("q1", body: "x", kind: .moderatorEdit, actor: "ann", reason: nil, revision: 0, at: Self.base)
        }
        // A reader's edit of a text a moderator redacted is held for a person to look at.
        #expect(try await store.revise("a1", body: body, rating: 4, judgement: Self.judgement(.approved), revision: 1,
                                       at: Self.base.addingTimeInterval(130)).decision?.reason == "edited by the reader: held, as a moderator had edited its text")
        // Each decision in the feed carries the text it was about: the redaction its redacted text, the edit the reader's.
        let feed = try await store.decisions(after: 0, limit: 100).filter { $0.externalID == "a1" }
        #expect(feed.map(\.revision) == [0, 1, 2])
        #expect(feed.map(\.body) == [nil, redacted, body])
        // Reports on a comment a moderator redacted before approving it are upheld: they had a point.
        _ = try await store.report("a2", ReaderReport(reporter: "r-7", reason: .personalData), policy: .default, at: Self.base.addingTimeInterval(140))
        _ = try await store.edit("a2", body: "[removed] and the rest.", kind: .redaction, actor: "ann", reason: "address", revision: 0,
                                 at: Self.base.addingTimeInterval(150))
        try await Decider(store: store).decide("a2", verdict: .approved, actor: "ann", reason: nil, at: Self.base.addingTimeInterval(160))
        #expect(try await store.reports(of: "a2").first?.report.outcome == .upheld)
        #expect(try await store.recount(onlyCheck: true) == [])
        // A subject access request gets the texts edits replaced; erasure takes them.
        let exported = try await store.export(author: "Reader").comments.first { $0.id == "a1" }
        #expect(exported?.earlierTexts.first == body)
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
