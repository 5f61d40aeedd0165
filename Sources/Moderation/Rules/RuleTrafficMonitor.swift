/// Settings for switching a rule to shadow mode when it suddenly matches too much traffic.
public struct RuleTrafficConfiguration: Sendable, Equatable {
    /// How many recent comments are watched. The default is 1,000.
    public var window: Int = 1_000
    /// The share of those comments a rule may hit before it is switched to shadow. The default is 0.2.
    public var maximumShare: Double = 0.2
    /// How many comments must have been seen before anything is switched. The default is 200.
    public var minimumComments: Int = 200
    /// Whether the check runs at all. The default is true.
    public var isEnabled: Bool = true

    public init() {}
}

/// Watches which active rules hit recent comments, like an emergency brake: a rule that hits an
/// implausible share of traffic is almost certainly broken (a pattern that matches everything) and is
/// better recorded in shadow than holding or rejecting every comment.
///
/// Not thread-safe; the queue worker owns one.
public struct RuleTrafficMonitor: Sendable {
    public let configuration: RuleTrafficConfiguration
    private var recent: [[String]]
    private var next = 0
    private var seen = 0
    private var counts: [String: Int] = [:]

    public init(configuration: RuleTrafficConfiguration = RuleTrafficConfiguration()) {
        self.configuration = configuration
        recent = Array(repeating: [], count: max(1, configuration.window))
    }

    /// Records the active rules that hit one comment; returns rules now over the limit with their share.
    public mutating func record(hits: [String]) -> [(ruleID: String, share: Double)] {
        guard configuration.isEnabled else { return [] }
        for id in recent[next] {
            counts[id, default: 1] -= 1
            if counts[id] == 0 { counts[id] = nil }
        }
        recent[next] = hits
        for id in hits { counts[id, default: 0] += 1 }
        next = (next + 1) % recent.count
        seen += 1
        let window = min(seen, recent.count)
        guard window >= configuration.minimumComments else { return [] }
        var over: [(String, Double)] = []
        for id in hits {
            let share = Double(counts[id] ?? 0) / Double(window)
            if share > configuration.maximumShare { over.append((id, share)) }
        }
        return over
    }

    /// Forgets a rule's hits (after it was switched, so it is not reported again at once).
    public mutating func forget(_ ruleID: String) {
        counts[ruleID] = nil
        for index in recent.indices { recent[index].removeAll { $0 == ruleID } }
    }

    /// How many comments the share is computed over now.
    public var windowSize: Int { min(seen, recent.count) }
}

extension Judgement {
    /// The active rules that really matched (not shadow, not errors), for the traffic monitor.
    public var activeRuleHits: [String] {
        signals.filter { $0.source == .rule && !$0.isShadow && !$0.isRuleError }.map(\.name)
    }
}
