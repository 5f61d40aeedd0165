/// Settings for switching a rule to shadow mode when it misfires on live traffic.
///
/// A rule is switched only when two things are true at once: it hits an implausible share of the
/// recent traffic's *sources* (networks and authors, so one sender repeating a comment counts once),
/// and moderators have overturned most of its recent verdicts (its measured precision is low). Readers
/// control the first, never the second, so no reader can switch a rule off. Rules that force an
/// outcome, and rules tagged for abuse, slurs, threats or legal risk, are never switched.
public struct RuleTrafficConfiguration: Sendable, Equatable {
    /// How many recent comments are watched. The default is 1,000.
    public var window: Int = 1_000
    /// The share of the window's sources (distinct networks, and distinct authors) a rule must hit
    /// before its precision is looked at. The default is 0.2.
    public var maximumShare: Double = 0.2
    /// How many comments must have been seen before anything is switched. The default is 200.
    public var minimumComments: Int = 200
    /// How many of the rule's verdicts moderators must have reviewed before it can be switched. The
    /// default is 10.
    public var minimumReviews: Int = 10
    /// The rule is switched when moderators overturned more than this share of its reviewed verdicts
    /// (approved a comment it helped hold or reject). The default is 0.5: precision under one half.
    public var maximumOverturnedShare: Double = 0.5
    /// How far back moderators' reviews count, in seconds. The default is 7 days.
    public var reviewPeriod: Double = 7 * 86_400
    /// How often, in seconds, the reviews of a rule that stays over the share are looked up again.
    /// The default is 60.
    public var recheckInterval: Double = 60
    /// Rules with any of these tags are never switched automatically. The default is abuse, slur,
    /// slurs, threat, threats and legal.
    public var protectedTags: Set<String> = ["abuse", "slur", "slurs", "threat", "threats", "legal"]
    /// Whether the check runs at all. The default is true.
    public var isEnabled: Bool = true

    public init() {}

    /// Whether a rule may ever be switched to shadow automatically: not one that forces an outcome
    /// (a moderator set it to hold or reject on purpose), nor one guarding against abuse or legal risk.
    public func mayShadowAutomatically(_ rule: Rule) -> Bool {
        rule.action == nil && rule.meta == nil && protectedTags.isDisjoint(with: rule.tags)
    }

    /// Whether moderators' reviews of a rule's verdicts show it misfiring.
    public func isMisfiring(reviewed: Int, overturned: Int) -> Bool {
        reviewed >= minimumReviews && Double(overturned) > maximumOverturnedShare * Double(reviewed)
    }
}

/// Watches which active rules hit the recent comments and from how many distinct sources: the first
/// half of the emergency brake for a rule gone wrong (see ``RuleTrafficConfiguration``).
///
/// A source is a network (`/24` or `/48`; comments without an address share one) and an author. A
/// rule's share is the smaller of the share of the window's networks it hit and the share of its
/// authors, so one sender posting the same comment hundreds of times, or under many names from one
/// network, counts as one source.
///
/// Not thread-safe; the queue worker owns one.
public struct RuleTrafficMonitor: Sendable {
    public let configuration: RuleTrafficConfiguration

    struct Source: Sendable {
        var network: UInt64
        var author: UInt64
    }

    /// How many comments of the window came from each key, overall and per rule.
    struct Counts: Sendable {
        var networks: [UInt64: Int] = [:]
        var authors: [UInt64: Int] = [:]

        mutating func add(_ source: Source) {
            networks[source.network, default: 0] += 1
            authors[source.author, default: 0] += 1
        }

        mutating func remove(_ source: Source) {
            Self.decrement(&networks, source.network)
            Self.decrement(&authors, source.author)
        }

        static func decrement(_ counts: inout [UInt64: Int], _ key: UInt64) {
            guard let count = counts[key] else { return }
            counts[key] = count > 1 ? count - 1 : nil
        }

        var isEmpty: Bool { networks.isEmpty }
    }

    private var recent: [(source: Source, hits: [String])?]
    private var next = 0
    private var seen = 0
    private var window = Counts()
    private var perRule: [String: Counts] = [:]

    public init(configuration: RuleTrafficConfiguration = RuleTrafficConfiguration()) {
        self.configuration = configuration
        recent = Array(repeating: nil, count: max(1, configuration.window))
    }

    /// Records the active rules that hit one comment and where it came from; returns the rules it hit
    /// that now reach the share of sources, with their share.
    public mutating func record(hits: [String], network: String?, author: String) -> [(ruleID: String, share: Double)] {
        guard configuration.isEnabled else { return [] }
        if let old = recent[next] {
            window.remove(old.source)
            for id in old.hits {
                perRule[id]?.remove(old.source)
                if perRule[id]?.isEmpty == true { perRule[id] = nil }
            }
        }
        let source = Source(network: FNV1a.hash(network ?? ""), author: FNV1a.hash(author))
        recent[next] = (source, hits)
        window.add(source)
        for id in hits { perRule[id, default: Counts()].add(source) }
        next = (next + 1) % recent.count
        seen += 1
        guard windowSize >= configuration.minimumComments else { return [] }
        var over: [(String, Double)] = []
        for id in Set(hits) {
            let share = self.share(of: id)
            if share > configuration.maximumShare { over.append((id, share)) }
        }
        return over.sorted { $0.0 < $1.0 }
    }

    /// The share of the window's sources a rule hit: the smaller of its share of networks and its
    /// share of authors.
    public func share(of ruleID: String) -> Double {
        guard let counts = perRule[ruleID], !window.isEmpty else { return 0 }
        let networks = Double(counts.networks.count) / Double(window.networks.count)
        let authors = Double(counts.authors.count) / Double(window.authors.count)
        return min(networks, authors)
    }

    /// Forgets a rule's hits (after it was switched, so it is not reported again at once).
    public mutating func forget(_ ruleID: String) {
        perRule[ruleID] = nil
        for index in recent.indices where recent[index]?.hits.contains(ruleID) == true {
            recent[index]?.hits.removeAll { $0 == ruleID }
        }
    }

    /// How many comments the share is computed over now.
    public var windowSize: Int { min(seen, recent.count) }

    /// How many distinct networks and authors the window holds.
    public var sources: (networks: Int, authors: Int) { (window.networks.count, window.authors.count) }
}

extension Judgement {
    /// The active rules that really matched (not shadow, not errors), for the traffic monitor.
    public var activeRuleHits: [String] {
        signals.filter { $0.source == .rule && !$0.isShadow && !$0.isRuleError }.map(\.name)
    }
}
