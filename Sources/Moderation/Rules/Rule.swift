import PCRE2

/// Whether a rule's hits count towards the verdict.
public enum RuleMode: String, Sendable, Codable, CaseIterable {
    /// Hits add their score or force their action.
    case active
    /// Hits are recorded but do not change the verdict: a safe way to try a rule on live traffic.
    case shadow
}

/// Texts a rule must and must not match; checked whenever the rule is loaded.
public struct RuleExamples: Sendable, Equatable {
    public var match: [String]
    public var noMatch: [String]

    public init(match: [String] = [], noMatch: [String] = []) {
        self.match = match
        self.noMatch = noMatch
    }
}

/// Where something was written: a rule pack file and a line in it.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// A rule that fires on a combination of other rules' hits.
public struct MetaCondition: Sendable, Equatable {
    /// How many of the named rules must hit.
    public enum Requirement: Sendable, Equatable {
        case all
        case any
        case atLeast(Int)
    }

    public var requirement: Requirement
    /// The ids of the rules combined.
    public var ruleIDs: [String]

    public init(requirement: Requirement, ruleIDs: [String]) {
        self.requirement = requirement
        self.ruleIDs = ruleIDs
    }

    /// Whether the condition holds given how many of the named rules hit.
    public func isSatisfied(hits: Int) -> Bool {
        switch requirement {
        case .all: hits == ruleIDs.count
        case .any: hits >= 1
        case .atLeast(let count): hits >= count
        }
    }
}

/// One compiled rule from a rule pack.
public struct Rule: Sendable {
    /// `pack.name`, unique across every loaded pack.
    public var id: String
    /// The pack (file) the rule came from.
    public var pack: String
    /// What the rule looks for, in words a moderator understands.
    public var description: String
    /// The compiled pattern; `nil` for a meta rule.
    public var pattern: Pattern?
    /// For a meta rule, the rules it combines.
    public var meta: MetaCondition?
    /// Match the original text instead of the normalized text (for addresses, numbers, codes).
    public var matchesRawText: Bool
    /// The fields the pattern is run against.
    public var fields: [CommentField]
    /// Score added per hit, when the rule has no action.
    public var score: Double
    /// The outcome a hit forces, if any.
    public var action: RuleAction?
    public var mode: RuleMode
    public var tags: [String]
    public var examples: RuleExamples
    /// Where the rule was defined.
    public var location: SourceLocation

    public init(id: String, pack: String, description: String, pattern: Pattern?, meta: MetaCondition? = nil,
                matchesRawText: Bool = false, fields: [CommentField], score: Double, action: RuleAction?, mode: RuleMode,
                tags: [String], examples: RuleExamples, location: SourceLocation) {
        self.id = id
        self.pack = pack
        self.description = description
        self.pattern = pattern
        self.meta = meta
        self.matchesRawText = matchesRawText
        self.fields = fields
        self.score = score
        self.action = action
        self.mode = mode
        self.tags = tags
        self.examples = examples
        self.location = location
    }

    /// The score or action as a moderator reads it: `+4`, `hold`.
    public var outcomeDescription: String {
        if let action { return action.rawValue }
        return (score >= 0 ? "+" : "") + Policy.format(score)
    }
}
