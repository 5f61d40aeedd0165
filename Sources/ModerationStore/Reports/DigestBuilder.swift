import Foundation
import GRDB
import Moderation
import ModeratoReports

/// Builds a ``Digest`` of a period from the database: what arrived, what is waiting, how the rules
/// fared against moderators, who offended, and how the pipeline kept up.
///
/// ```swift
/// let digest = try await DigestBuilder(database: database).build(from: start, to: end)
/// print(try DigestRenderer.render(digest, as: .text))
/// ```
public struct DigestBuilder: Sendable {
    public var database: any CommentStore
    /// Held comments older than this many hours are over the service level. The default is 12.
    public var slaHours: Double = 12
    /// "Now", for the backlog. The default is the current time.
    public var now: Date = Date()
    public var siteName: String?

    public init(database: any CommentStore) {
        self.database = database
    }

    public func build(from start: Date, to end: Date) async throws -> Digest {
        let figures = try await database.digest(DigestRequest(start: start, end: end, now: now, slaHours: slaHours, siteName: siteName))
        var digest = figures.digest
        var domains: [String: Int] = [:]
        for body in figures.rejectedBodies {
            for host in Set(LinkExtractor.links(in: body).map(\.host)) { domains[host, default: 0] += 1 }
        }
        digest.topDomains = Self.top(domains)
        return digest
    }

    /// The five values with the most rejected comments, at least two each, most first (ties by value).
    static func top(_ counts: [String: Int]) -> [Digest.Offender] {
        counts.filter { $0.value >= 2 }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(5)
            .map { Digest.Offender(value: $0.key, rejected: $0.value) }
    }

    /// A percentile by linear interpolation (the median of an even count is the mean of the middle two),
    /// rounded to the millisecond so date arithmetic leaves no noise.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let position = Double(sorted.count - 1) * p
        let lower = Int(position.rounded(.down))
        let upper = min(sorted.count - 1, lower + 1)
        let value = sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
        return (value * 1000).rounded() / 1000
    }
}

extension ModerationDatabase {
    /// The digest's figures, read in one transaction.
    public func digest(_ request: DigestRequest) async throws(StoreError) -> DigestFigures {
        let (start, end, now, slaHours, siteName) = (request.start, request.end, request.now, request.slaHours, request.siteName)
        do {
            let rejectedBodies = try await pool.read { db -> (Digest, [String]) in
                var digest = Digest(start: start, end: end, generatedAt: now, siteName: siteName, slaHours: slaHours)
                let range: StatementArguments = [start, end]
                let inPeriod = "received_at >= ? AND received_at < ?"

                // Volume, hours, articles, ratings, deciders, rules, latency: from the hourly counts.
                let states = try Row.fetchAll(db, sql: "SELECT rule_id, mode, reason, changed_by, changed_at FROM rule_state")
                let shadowed = Set(states.filter { ($0["mode"] as String) == "shadow" }.map { $0["rule_id"] as String })
                try Self.hourlyRows(db, HourlyCounts.Split(start: start, end: end)).fill(&digest, shadowedRules: shadowed)

                // Backlog, as of now
                digest.heldNow = try Int.fetchOne(db, sql: "SELECT count(*) FROM comment WHERE status = 'held'") ?? 0
                if let oldest = try Date.fetchOne(db, sql: "SELECT min(received_at) FROM comment WHERE status = 'held'") {
                    digest.oldestHeldAge = now.timeIntervalSince(oldest)
                }
                digest.overSLA = try Int.fetchOne(db, sql: "SELECT count(*) FROM comment WHERE status = 'held' AND received_at < ?",
                                                  arguments: [now.addingTimeInterval(-slaHours * 3600)]) ?? 0
                let waits = try Double.fetchAll(db, sql: """
                    SELECT (julianday(min(d.at)) - julianday(c.received_at)) * 86400 FROM decision d JOIN comment c ON c.key = d.comment_key
                    WHERE d.actor_kind != 'system' AND d.actor_kind != 'readers' AND d.at >= ? AND d.at < ? GROUP BY d.comment_key
                    """, arguments: range).sorted()
                digest.medianTimeToDecision = DigestBuilder.percentile(waits, 0.5)
                let ages = try Date.fetchAll(db, sql: "SELECT received_at FROM comment WHERE status = 'held'").map { now.timeIntervalSince($0) / 3600 }
                let limits: [(String, Double)] = [("<1h", 1), ("1–4h", 4), ("4–12h", 12), ("12–24h", 24), (">24h", .infinity)]
                var counts = [Int](repeating: 0, count: limits.count)
                for age in ages { counts[limits.firstIndex { age < $0.1 } ?? limits.count - 1] += 1 }
                digest.backlogAges = zip(limits, counts).map { Digest.AgeBucket(label: $0.0, count: $1) }

                digest.autoShadowed = states.compactMap { row in
                    guard (row["changed_by"] as String) == Decision.systemActor, let at = row["changed_at"] as Date? else { return nil }
                    return Digest.ShadowedRule(ruleID: row["rule_id"], reason: row["reason"], at: at)
                }

                // Offenders among rejected comments
                // One pass over the rejected comments' index for both lists.
                var authors: [String: Int] = [:]
                var networks: [String: Int] = [:]
                let rejected = try Row.fetchCursor(db, sql: """
                    SELECT author, network FROM comment INDEXED BY comment_rejected
                    WHERE status = 'rejected' AND received_at >= ? AND received_at < ?
                    """, arguments: range)
                while let row = try rejected.next() {
                    authors[row[0], default: 0] += 1
                    if let network = row[1] as String? { networks[network, default: 0] += 1 }
                }
                digest.topAuthors = DigestBuilder.top(authors)
                digest.topNetworks = DigestBuilder.top(networks)
                let bodies = try String.fetchAll(db, sql: "SELECT body FROM comment WHERE status = 'rejected' AND \(inPeriod) LIMIT 20000",
                                                 arguments: range)

                return (digest, bodies)
            }
            var digest = rejectedBodies.0
            try await addExtras(to: &digest)
            return DigestFigures(digest: digest, rejectedBodies: rejectedBodies.1)
        } catch {
            throw Self.wrap(error, "reading the digest's figures")
        }
    }

    /// Figures kept by later parts of the system (blocks, webhooks), when their tables exist.
    func addExtras(to digest: inout Digest) async throws {
        let start = digest.start
        let end = digest.end
        let extras = try await pool.read { db -> (Int, Int, Int, Int) in
            var values = (0, 0, 0, 0)
            if try db.tableExists("block") {
                values.0 = try Int.fetchOne(db, sql: "SELECT count(*) FROM block WHERE created_at >= ? AND created_at < ?", arguments: [start, end]) ?? 0
                values.1 = try Int.fetchOne(db, sql: "SELECT count(*) FROM block WHERE expires_at >= ? AND expires_at < ?", arguments: [start, end]) ?? 0
            }
            if try db.tableExists("outbox") {
                values.2 = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL AND failed_at >= ? AND failed_at < ?",
                                            arguments: [start, end]) ?? 0
                values.3 = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL") ?? 0
            }
            return values
        }
        digest.blocksAdded = extras.0
        digest.blocksExpired = extras.1
        digest.webhookFailures = extras.2
        digest.webhookBacklog = extras.3
    }
}
