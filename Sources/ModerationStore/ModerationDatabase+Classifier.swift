import Foundation
import GRDB
import Moderation

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

    /// Learns from labelled texts (such as an export of a site's moderation history), given as their
    /// tokens (``SiteLayer/tokens(of:)``), committing every ``maintenanceChunk`` texts so the daemon's
    /// writes never wait long.
    public func trainClassifier(_ examples: [Lesson]) async throws(StoreError) {
        var start = 0
        while start < examples.count {
            let chunk = examples[start..<min(examples.count, start + Self.maintenanceChunk)]
            start += chunk.count
            let (counted, unwantedCount, wantedCount) = Relabel.counts(of: chunk)
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

    /// Makes the layer's knowledge of one stored comment match `unwanted` (nil: forget it).
    ///
    /// A comment is learned with `tokens` (its ``SiteLayer/tokens(of:)``, worked out by the caller before
    /// the transaction), which are kept beside it: relabelling or forgetting it later takes back exactly
    /// the counts it added, whatever the judging code has become since. Learning the same label twice
    /// changes nothing. Without `tokens`, a comment learned before is relabelled with its kept tokens,
    /// and one never learned stays unlearned.
    static func learn(commentKey key: Int64, unwanted: Bool?, tokens: [UInt64]?, source: String, _ db: Database) throws {
        let stored = try Row.fetchOne(db, sql: "SELECT unwanted, tokens FROM classifier_training WHERE comment_key = ?", arguments: [key])
        let previous = stored.map { (unwanted: $0["unwanted"] as Bool, tokens: LessonTokens.decode($0["tokens"])) }
        guard let change = Relabel(previous: previous, unwanted: unwanted, tokens: tokens) else { return }
        if let kept = change.kept {
            try db.execute(sql: "INSERT OR REPLACE INTO classifier_training (comment_key, unwanted, source, tokens) VALUES (?, ?, ?, ?)",
                           arguments: [key, kept.unwanted, source, LessonTokens.encode(kept.tokens)])
        } else {
            try db.execute(sql: "DELETE FROM classifier_training WHERE comment_key = ?", arguments: [key])
        }
        try apply(change.deltas, unwantedDocuments: change.unwantedDocuments, wantedDocuments: change.wantedDocuments, db)
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

/// What one comment teaches the site's learning layer: its tokens, and whether it was unwanted.
public struct Lesson: Sendable, Equatable {
    public var tokens: [UInt64]
    public var unwanted: Bool

    public init(tokens: [UInt64], unwanted: Bool) {
        self.tokens = tokens
        self.unwanted = unwanted
    }
}

/// A lesson's tokens as stored beside the comment: 8 bytes each, little-endian.
enum LessonTokens {
    static func encode(_ tokens: [UInt64]) -> Data {
        var data = Data(capacity: tokens.count * 8)
        for token in tokens { withUnsafeBytes(of: token.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func decode(_ data: Data?) -> [UInt64] {
        guard let data else { return [] }
        var tokens: [UInt64] = []
        tokens.reserveCapacity(data.count / 8)
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset + 8 <= bytes.count {
                tokens.append(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                offset += 8
            }
        }
        return tokens
    }
}
