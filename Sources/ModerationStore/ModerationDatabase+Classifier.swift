import Foundation
import GRDB
import Moderation
import PCRE2

/// What the site's learning layer has learned, for `modctl train --stats`.
public struct ClassifierStatistics: Sendable, Equatable, Encodable {
    public var unwantedDocuments: Int
    public var wantedDocuments: Int
    public var tokens: Int
    public var version: Int
    /// Comments learned from moderators' (or the site's) decisions, and from confident automatic verdicts.
    public var fromDecisions: Int
    public var fromAutomaticVerdicts: Int

    enum CodingKeys: String, CodingKey {
        case tokens, version
        case unwantedDocuments = "unwanted_documents"
        case wantedDocuments = "wanted_documents"
        case fromDecisions = "from_decisions"
        case fromAutomaticVerdicts = "from_automatic_verdicts"
    }
}

extension ModerationDatabase {
    /// The learned model and its version (which changes with every update).
    public func classifierModel() async throws(StoreError) -> (model: ClassifierModel, version: Int) {
        do {
            return try await pool.read { db in
                let state = try Row.fetchOne(db, sql: "SELECT * FROM classifier_state WHERE id = 1")
                var model = ClassifierModel(unwantedDocuments: state?["unwanted_documents"] ?? 0, wantedDocuments: state?["wanted_documents"] ?? 0)
                let cursor = try Row.fetchCursor(db, sql: "SELECT hash, unwanted, wanted FROM classifier_token")
                while let row = try cursor.next() {
                    let hash: Int64 = row[0]
                    model.tokens[UInt64(bitPattern: hash)] = TokenCounts(unwanted: row[1], wanted: row[2])
                }
                return (model, state?["version"] ?? 0)
            }
        } catch {
            throw Self.wrap(error, "reading the classifier")
        }
    }

    /// The classifier's version, cheap to poll.
    public func classifierVersion() async throws(StoreError) -> Int {
        do {
            return try await pool.read { try Int.fetchOne($0, sql: "SELECT version FROM classifier_state WHERE id = 1") ?? 0 }
        } catch {
            throw Self.wrap(error, "reading the classifier version")
        }
    }

    /// Learns from labelled texts (such as an export of a site's moderation history), committing every
    /// ``maintenanceChunk`` texts so the daemon's writes never wait long.
    public func trainClassifier(_ examples: [(comment: Comment, unwanted: Bool)]) async throws(StoreError) {
        var start = 0
        while start < examples.count {
            let chunk = Array(examples[start..<min(examples.count, start + Self.maintenanceChunk)])
            start += chunk.count
            // Tokens are counted before taking the write lock.
            let scratch = MatchScratch()
            var unwanted = 0
            var wanted = 0
            var deltas: [UInt64: TokenCounts] = [:]
            for example in chunk {
                let analysis = CommentAnalysis(comment: example.comment, scratch: scratch)
                for token in SiteLayer.tokens(analysis) {
                    deltas[token, default: TokenCounts()].add(unwanted: example.unwanted, 1)
                }
                if example.unwanted { unwanted += 1 } else { wanted += 1 }
            }
            let (counted, unwantedCount, wantedCount) = (deltas, unwanted, wanted)
            do {
                try await pool.write { db in
                    try Self.apply(counted, unwantedDocuments: unwantedCount, wantedDocuments: wantedCount, db)
                }
            } catch {
                throw Self.wrap(error, "training the classifier")
            }
        }
    }

    /// Forgets everything the classifier learned.
    public func resetClassifier() async throws(StoreError) {
        do {
            try await pool.write { db in
                try db.execute(sql: """
                    DELETE FROM classifier_token; DELETE FROM classifier_training;
                    UPDATE classifier_state SET unwanted_documents = 0, wanted_documents = 0, version = version + 1 WHERE id = 1;
                    """)
            }
        } catch {
            throw Self.wrap(error, "resetting the classifier")
        }
    }

    public func classifierStatistics() async throws(StoreError) -> ClassifierStatistics {
        do {
            return try await pool.read { db in
                let state = try Row.fetchOne(db, sql: "SELECT * FROM classifier_state WHERE id = 1")
                return ClassifierStatistics(
                    unwantedDocuments: state?["unwanted_documents"] ?? 0, wantedDocuments: state?["wanted_documents"] ?? 0,
                    tokens: try Int.fetchOne(db, sql: "SELECT count(*) FROM classifier_token") ?? 0,
                    version: state?["version"] ?? 0,
                    fromDecisions: try Int.fetchOne(db, sql: "SELECT count(*) FROM classifier_training WHERE source != 'automatic'") ?? 0,
                    fromAutomaticVerdicts: try Int.fetchOne(db, sql: "SELECT count(*) FROM classifier_training WHERE source = 'automatic'") ?? 0)
            }
        } catch {
            throw Self.wrap(error, "reading classifier statistics")
        }
    }

    /// Makes the classifier's knowledge of one stored comment match `unwanted` (nil: forget it).
    /// Learning the same label twice changes nothing; a new label unlearns the old one first.
    static func train(_ comment: StoredComment, unwanted: Bool?, source: String, _ db: Database) throws {
        guard let key = comment.key else { return }
        let previous = try Bool.fetchOne(db, sql: "SELECT unwanted FROM classifier_training WHERE comment_key = ?", arguments: [key])
        guard previous != unwanted else { return }
        var context = CommentContext()
        context.author.total = comment.authorIsNew ? 0 : 1
        let analysis = CommentAnalysis(comment: comment.comment, context: context, scratch: MatchScratch())
        let hashes = SiteLayer.tokens(analysis)
        var deltas: [UInt64: TokenCounts] = [:]
        var unwantedDocuments = 0
        var wantedDocuments = 0
        if let previous {
            for hash in hashes { deltas[hash, default: TokenCounts()].add(unwanted: previous, -1) }
            if previous { unwantedDocuments -= 1 } else { wantedDocuments -= 1 }
        }
        if let unwanted {
            for hash in hashes { deltas[hash, default: TokenCounts()].add(unwanted: unwanted, 1) }
            if unwanted { unwantedDocuments += 1 } else { wantedDocuments += 1 }
            try db.execute(sql: "INSERT OR REPLACE INTO classifier_training (comment_key, unwanted, source) VALUES (?, ?, ?)",
                           arguments: [key, unwanted, source])
        } else {
            try db.execute(sql: "DELETE FROM classifier_training WHERE comment_key = ?", arguments: [key])
        }
        try apply(deltas, unwantedDocuments: unwantedDocuments, wantedDocuments: wantedDocuments, db)
    }

    static func apply(_ deltas: [UInt64: TokenCounts], unwantedDocuments: Int, wantedDocuments: Int, _ db: Database) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO classifier_token (hash, unwanted, wanted) VALUES (?, max(0, ?), max(0, ?))
            ON CONFLICT(hash) DO UPDATE SET unwanted = max(0, unwanted + ?), wanted = max(0, wanted + ?)
            """)
        for (hash, delta) in deltas where delta.unwanted != 0 || delta.wanted != 0 {
            try upsert.execute(arguments: [Int64(bitPattern: hash), delta.unwanted, delta.wanted, delta.unwanted, delta.wanted])
        }
        try db.execute(sql: "DELETE FROM classifier_token WHERE unwanted = 0 AND wanted = 0")
        try db.execute(sql: """
            UPDATE classifier_state SET unwanted_documents = max(0, unwanted_documents + ?),
                                        wanted_documents = max(0, wanted_documents + ?), version = version + 1 WHERE id = 1
            """, arguments: [unwantedDocuments, wantedDocuments])
    }
}

extension TokenCounts {
    mutating func add(unwanted: Bool, _ amount: Int32) {
        if unwanted { self.unwanted += amount } else { self.wanted += amount }
    }
}
