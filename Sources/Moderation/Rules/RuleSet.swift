/// The immutable set of rules in force, shared by every worker and swapped whole on reload.
public struct RuleSet: Sendable {
    /// Every loaded rule, in load order.
    public let rules: [Rule]
    /// A content hash of every pack file that made the set; recorded with each verdict.
    public let version: String
    /// Non-fatal findings from loading, such as patterns prone to backtracking.
    public let warnings: [RuleLoadError]

    /// Which rules could match a given comment, found in one pass.
    public let prefilter: RulePrefilter
    /// Rule index by id.
    let indexByID: [String: Int]
    /// Pattern rules that are not gated by the prefilter: they run on every comment.
    let ungatedPatternRules: RuleIndexSet
    /// Indices of meta rules, in order.
    let metaRules: [Int]

    /// - Parameter usesPrefilter: Gate rules on their required literals. The default is true; turning it
    ///   off runs every rule on every comment (for checking that the prefilter changes nothing).
    public init(rules: [Rule], version: String, warnings: [RuleLoadError] = [], usesPrefilter: Bool = true) {
        self.rules = rules
        self.version = version
        self.warnings = warnings
        self.prefilter = RulePrefilter(rules: usesPrefilter ? rules : [])
        self.indexByID = Dictionary(rules.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.metaRules = rules.indices.filter { rules[$0].meta != nil }
        let prefilter = self.prefilter
        self.ungatedPatternRules = RuleIndexSet(count: rules.count, members: rules.indices.filter {
            rules[$0].meta == nil && !(($0 < prefilter.isGated.count) && prefilter.isGated[$0])
        })
    }

    /// A copy with some rules' modes changed (for rules switched to shadow while running).
    public func withModes(_ modes: [String: RuleMode]) -> RuleSet {
        guard !modes.isEmpty else { return self }
        let changed = rules.map { rule -> Rule in
            var rule = rule
            if let mode = modes[rule.id] { rule.mode = mode }
            return rule
        }
        return RuleSet(rules: changed, version: version, warnings: warnings, usesPrefilter: prefilter.isGated.count == rules.count)
    }

    /// An empty rule set.
    public static let empty = RuleSet(rules: [], version: "empty")

    /// Pattern rules the prefilter cannot skip by their literals: worth a look when speed matters.
    /// Those that need a digit run only on comments with one, those on links only on comments with links.
    public var unfilteredRuleIDs: (always: [String], withDigit: [String], withLink: [String]) {
        var always: [String] = []
        var withDigit: [String] = []
        var withLink: [String] = []
        ungatedPatternRules.forEach { index in
            if index < prefilter.needsDigit.count, prefilter.needsDigit[index] {
                withDigit.append(rules[index].id)
            } else if rules[index].fields == [.url] {
                withLink.append(rules[index].id)
            } else {
                always.append(rules[index].id)
            }
        }
        return (always, withDigit, withLink)
    }

    /// The rule with this id.
    public func rule(id: String) -> Rule? {
        indexByID[id].map { rules[$0] }
    }
}

/// A problem found while loading rule packs, reported as `FILE:LINE: rule ID: message`.
public struct RuleLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation
    public var ruleID: String?
    public var message: String

    public init(_ location: SourceLocation, ruleID: String? = nil, _ message: String) {
        self.location = location
        self.ruleID = ruleID
        self.message = message
    }

    public var description: String {
        if let ruleID { return "\(location): rule \(ruleID): \(message)" }
        return "\(location): \(message)"
    }
}

/// Every problem that stopped a set of rule packs from loading.
public struct RuleLoadFailure: Error, Sendable, CustomStringConvertible {
    public var errors: [RuleLoadError]

    public init(errors: [RuleLoadError]) {
        self.errors = errors
    }

    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
