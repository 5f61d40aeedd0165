import Foundation
import GRDB
import Moderation
import ModerationStore
import ModeratoTestSupport
import PCRE2
import Testing

/// The site's learning layer's persistence: what moderators' decisions teach it, what undo takes back,
/// that it survives reopening the file, and explicit training and reset.
@Suite struct ClassifierStoreTests {
    let now = Date(timeIntervalSince1970: 1_795_937_400)

    func at(_ seconds: Double) -> Date { now.addingTimeInterval(seconds) }

    let held = Judgement(verdict: .held, score: 5, signals: [], reason: "test", rulesetVersion: "t")

    static let spam = Fixtures.comment("spam", body: "Buy cheap watches online today at huge discount prices", author: "Spammer")
    static let ham = Fixtures.comment("ham", body: "Lovely photos of the lifeboat launch on Saturday", author: "Ann")

    /// Accepts the comments (one second apart) and records a held verdict for each.
    /// - Returns: The stored comments, by id, as the store saw them when they arrived.
    @discardableResult
    func judged(_ database: ModerationDatabase, _ comments: [Moderation.Comment]) async throws -> [String: StoredComment] {
        for (index, comment) in comments.enumerated() {
            #expect(try await database.accept([comment], at: at(Double(index))) == [.accepted])
        }
        let queued = try await database.queuedComments(limit: 100)
        #expect(try await database.record(queued.map { (key: $0.key, judgement: held) }, at: at(60)) == queued.count)
        return Dictionary(uniqueKeysWithValues: queued.map { ($0.comment.id, $0.stored) })
    }

    /// The token hashes the store learns for a stored comment.
    func hashes(_ stored: StoredComment) -> Set<UInt64> {
        var context = CommentContext()
        context.author.total = stored.authorIsNew ? 0 : 1
        let analysis = CommentAnalysis(comment: stored.comment, context: context, scratch: MatchScratch())
        return SiteLayer.tokens(analysis)
    }

    func model(_ base: ClassifierModel, learning stored: StoredComment, unwanted: Bool) -> ClassifierModel {
        var model = base
        model.train(hashes(stored), unwanted: unwanted)
        return model
    }

    /// Labelled examples sharing words with `spam` and `ham`, so decisions change existing counts too.
    static let seedExamples: [(comment: Moderation.Comment, unwanted: Bool)] = [
        (Fixtures.comment("s1", body: "Buy cheap pills online today", author: "Seed1"), true),
        (Fixtures.comment("s2", body: "Huge discount prices on watches, buy now", author: "Seed2"), true),
        (Fixtures.comment("s3", body: "Lovely photos of the harbour on Saturday", author: "Seed3"), false),
    ]

    // MARK: Train and untrain

    @Test func rejectThenUndoRestoresTheModelExactly() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        try await database.trainClassifier(Self.seedExamples)
        let stored = try await judged(database, [Self.spam, Self.ham])
        let spam = try #require(stored["spam"])

        let (before, version0) = try await database.classifierModel()
        #expect(before.unwantedDocuments == 2)
        #expect(before.wantedDocuments == 1)

        try await database.decide("spam", verdict: .rejected, actor: "ann", reason: "spam", at: at(120))
        let (afterReject, version1) = try await database.classifierModel()
        #expect(version1 > version0)
        #expect(afterReject.unwantedDocuments == 3)
        #expect(afterReject.wantedDocuments == 1)
        #expect(afterReject == model(before, learning: spam, unwanted: true))
        #expect(afterReject.tokens[SiteLayer.token(word: "buy")] == TokenCounts(unwanted: 3, wanted: 0))
        #expect(afterReject.tokens[SiteLayer.token(word: "watches")] == TokenCounts(unwanted: 2, wanted: 0))
        #expect(try await database.classifierStatistics().fromDecisions == 1)

        try await database.undo("spam", actor: "ann", at: at(180))
        let (afterUndo, version2) = try await database.classifierModel()
        #expect(version2 > version1)
        #expect(afterUndo == before)
        #expect(afterUndo.tokens == before.tokens)
        #expect(afterUndo.unwantedDocuments == before.unwantedDocuments)
        #expect(afterUndo.wantedDocuments == before.wantedDocuments)
        #expect(try await database.classifierStatistics().fromDecisions == 0)
        #expect(try await database.details(of: "spam")?.comment.status == .held)
    }

    /// A database from before lessons kept their tokens gets them on migration, so undoing a decision
    /// made then still takes back exactly what it taught.
    @Test func lessonsLearnedBeforeTheMigrationAreUnlearnedExactly() async throws {
        let directory = TemporaryDirectory("lessons")
        let path = directory.path("moderato.sqlite")
        var database: ModerationDatabase? = try ModerationDatabase(path: path)
        try await judged(database!, [Self.spam, Self.ham])
        let (before, _) = try await database!.classifierModel()
        try await database!.decide("spam", verdict: .rejected, actor: "ann", reason: "spam", at: at(120))
        let (afterReject, _) = try await database!.classifierModel()
        #expect(afterReject != before)
        database = nil
        // As the previous version left it: no tokens beside the lesson.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: """
                ALTER TABLE classifier_training DROP COLUMN tokens;
                DELETE FROM grdb_migrations WHERE identifier = 'v13-lessons-keep-their-tokens';
                """)
        }
        try queue.close()
        let migrated = try ModerationDatabase(path: path)
        #expect(try await migrated.classifierModel().model == afterReject)
        try await migrated.undo("spam", actor: "ann", at: at(180))
        #expect(try await migrated.classifierModel().model == before)
    }

    @Test func approveThenForceRejectRelabels() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        try await database.trainClassifier(Self.seedExamples)
        let stored = try await judged(database, [Self.spam, Self.ham])
        let spam = try #require(stored["spam"])
        let before = try await database.classifierModel().model

        try await database.decide("spam", verdict: .approved, actor: "ann", reason: nil, at: at(120))
        let approved = try await database.classifierModel().model
        #expect(approved == model(before, learning: spam, unwanted: false))
        #expect(approved.wantedDocuments == 2)
        #expect(approved.unwantedDocuments == 2)

        try await database.decide("spam", verdict: .rejected, actor: "bob", reason: "spam", force: true, at: at(180))
        let rejected = try await database.classifierModel().model
        // The approval is unlearned, the rejection learned: as if it had been rejected straight away.
        #expect(rejected == model(before, learning: spam, unwanted: true))
        #expect(rejected.wantedDocuments == 1)
        #expect(rejected.unwantedDocuments == 3)
        #expect(try await database.classifierStatistics().fromDecisions == 1)

        // Undoing the forced rejection brings back what the approval taught.
        try await database.undo("spam", actor: "bob", at: at(240))
        #expect(try await database.classifierModel().model == approved)
        #expect(try await database.details(of: "spam")?.comment.status == .approved)

        // And undoing the approval forgets the comment.
        try await database.undo("spam", actor: "ann", at: at(300))
        #expect(try await database.classifierModel().model == before)
        #expect(try await database.classifierStatistics().fromDecisions == 0)
    }

    @Test func learningTheSameLabelTwiceAndHoldingTeachNothing() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        let stored = try await judged(database, [Self.spam, Self.ham])
        let ham = try #require(stored["ham"])
        let empty = try await database.classifierModel().model
        #expect(empty == ClassifierModel())

        // A moderator keeping it held teaches nothing.
        try await database.decide("ham", verdict: .held, actor: "ann", reason: nil, at: at(120))
        #expect(try await database.classifierModel().model == empty)

        try await database.decide("ham", verdict: .approved, actor: "ann", reason: nil, force: true, at: at(180))
        let once = try await database.classifierModel().model
        #expect(once == model(empty, learning: ham, unwanted: false))
        // Approving again (forced) changes nothing.
        try await database.decide("ham", verdict: .approved, actor: "bob", reason: nil, force: true, at: at(240))
        #expect(try await database.classifierModel().model == once)
        #expect(once.tokens[SiteLayer.token(word: "lovely")] == TokenCounts(unwanted: 0, wanted: 1))
    }

    // MARK: Persistence

    @Test func theModelSurvivesReopeningTheFile() async throws {
        let directory = TemporaryDirectory("classifier-store")
        let path = directory.path("moderato.sqlite")
        let saved: (model: ClassifierModel, version: Int)
        let statistics: ClassifierStatistics
        let before: ClassifierModel
        do {
            let database = try ModerationDatabase(path: path)
            try await database.trainClassifier(Self.seedExamples)
            try await judged(database, [Self.spam, Self.ham])
            before = try await database.classifierModel().model
            try await database.decide("spam", verdict: .rejected, actor: "ann", reason: "spam", at: at(120))
            try await database.decide("ham", verdict: .approved, actor: "ann", reason: nil, at: at(130))
            saved = try await database.classifierModel()
            statistics = try await database.classifierStatistics()
        }
        #expect(statistics.fromDecisions == 2)
        #expect(statistics.unwantedDocuments == 3)
        #expect(statistics.wantedDocuments == 2)

        let reopened = try ModerationDatabase(path: path)
        let loaded = try await reopened.classifierModel()
        #expect(loaded.model == saved.model)
        #expect(loaded.version == saved.version)
        #expect(try await reopened.classifierVersion() == saved.version)
        #expect(try await reopened.classifierStatistics() == statistics)

        // What each decision taught is remembered too: undoing both after reopening forgets them.
        try await reopened.undo("spam", actor: "ann", at: at(200))
        try await reopened.undo("ham", actor: "ann", at: at(210))
        #expect(try await reopened.classifierModel().model == before)
    }

    // MARK: Training, statistics and reset

    @Test func trainStatisticsAndReset() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        let fresh = try await database.classifierStatistics()
        #expect(fresh.unwantedDocuments == 0 && fresh.wantedDocuments == 0 && fresh.tokens == 0)
        #expect(fresh.version == 0 && fresh.fromDecisions == 0 && fresh.fromAutomaticVerdicts == 0)

        let examples: [(comment: Moderation.Comment, unwanted: Bool)] = [
            (Fixtures.comment("u1", body: "Buy buy buy cheap watches now"), true),
            (Fixtures.comment("u2", body: "Buy followers for your channel"), true),
            (Fixtures.comment("u3", body: "Buy cheap pills at http://pills.example.com"), true),
            (Fixtures.comment("w1", body: "The harbour wall is finally repaired"), false),
            (Fixtures.comment("w2", body: "Good to see the harbour busy again"), false),
        ]
        try await database.trainClassifier(examples)
        let trained = try await database.classifierModel()

        // The same model, learned in memory.
        var expected = ClassifierModel()
        for example in examples {
            let analysis = CommentAnalysis(comment: example.comment, scratch: MatchScratch())
            expected.train(SiteLayer.tokens(analysis), unwanted: example.unwanted)
        }
        #expect(trained.model == expected)
        #expect(trained.model.tokens[SiteLayer.token(word: "buy")] == TokenCounts(unwanted: 3, wanted: 0))  // once per comment
        #expect(trained.model.tokens[SiteLayer.token(word: "harbour")] == TokenCounts(unwanted: 0, wanted: 2))
        #expect(trained.model.tokens[SiteLayer.token(fact: "rating:4")] == TokenCounts(unwanted: 3, wanted: 2))
        #expect(trained.model.tokens[SiteLayer.token(domain: "pills.example.com")] == TokenCounts(unwanted: 1, wanted: 0))

        let statistics = try await database.classifierStatistics()
        #expect(statistics.unwantedDocuments == 3)
        #expect(statistics.wantedDocuments == 2)
        #expect(statistics.tokens == expected.tokens.count)
        #expect(statistics.version == trained.version)
        #expect(statistics.version == 1)
        #expect(statistics.fromDecisions == 0)  // explicit training is not tied to stored comments
        #expect(statistics.fromAutomaticVerdicts == 0)

        // Training is cumulative.
        try await database.trainClassifier([(Fixtures.comment("u4", body: "Buy now"), true)])
        #expect(try await database.classifierModel().model.tokens[SiteLayer.token(word: "buy")] == TokenCounts(unwanted: 4, wanted: 0))
        #expect(try await database.classifierStatistics().unwantedDocuments == 4)

        // A decision adds a training record; reset forgets everything.
        try await judged(database, [Self.spam])
        try await database.decide("spam", verdict: .rejected, actor: "ann", reason: "spam", at: at(120))
        #expect(try await database.classifierStatistics().fromDecisions == 1)
        let versionBeforeReset = try await database.classifierVersion()
        try await database.resetClassifier()
        let reset = try await database.classifierStatistics()
        #expect(reset.unwantedDocuments == 0)
        #expect(reset.wantedDocuments == 0)
        #expect(reset.tokens == 0)
        #expect(reset.version == versionBeforeReset + 1)
        #expect(reset.fromDecisions == 0)
        #expect(reset.fromAutomaticVerdicts == 0)
        #expect(try await database.classifierModel().model == ClassifierModel())

        // After a reset, undoing an earlier decision does not unlearn what was already forgotten.
        try await database.undo("spam", actor: "ann", at: at(180))
        #expect(try await database.classifierModel().model == ClassifierModel())
    }
}
