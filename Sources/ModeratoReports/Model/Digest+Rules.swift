import Foundation

extension Digest {
    /// How often a rule fired and how often moderators disagreed with it.
    public struct RuleStat: Sendable, Codable, Equatable {
        /// What produced the signal.
        public enum Kind: String, Sendable, Codable, CaseIterable {
            /// A pattern from a rule pack.
            case rule
            /// A built-in heuristic, such as shouting or links.
            case heuristic
            /// A statistical classifier.
            case classifier
        }

        /// Whether the rule counts towards verdicts.
        public enum Mode: String, Sendable, Codable, CaseIterable {
            /// Its signals count.
            case active
            /// Its signals are recorded but ignored.
            case shadow
        }

        /// The rule id, such as `spam.self_promotion`.
        public var ruleID: String
        /// A rule, a heuristic or a classifier.
        public var kind: Kind
        /// Comments the rule fired on.
        public var hits: Int
        /// Of the reviewed hits, those where the moderator decided against the rule's action.
        public var overturned: Int
        /// Hits that a moderator reviewed.
        public var reviewed: Int
        /// Whether the rule was active or in shadow mode at the end of the period.
        public var mode: Mode

        /// A rule's statistics; the mode defaults to active.
        public init(ruleID: String, kind: Kind, hits: Int, overturned: Int, reviewed: Int, mode: Mode = .active) {
            self.ruleID = ruleID
            self.kind = kind
            self.hits = hits
            self.overturned = overturned
            self.reviewed = reviewed
            self.mode = mode
        }

        /// The share of reviewed hits that moderators upheld, `1 - overturned / reviewed`, or `nil`
        /// when no hit was reviewed.
        public var estimatedPrecision: Double? {
            reviewed > 0 ? 1 - Double(overturned) / Double(reviewed) : nil
        }

        enum CodingKeys: String, CodingKey {
            case kind, hits, overturned, reviewed, mode
            case ruleID = "rule_id"
        }

        enum DerivedKeys: String, CodingKey {
            case estimatedPrecision = "estimated_precision"
        }

        /// Writes the statistics with the derived `estimated_precision` (`null` when nothing was reviewed).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(ruleID, forKey: .ruleID)
            try c.encode(kind, forKey: .kind)
            try c.encode(hits, forKey: .hits)
            try c.encode(overturned, forKey: .overturned)
            try c.encode(reviewed, forKey: .reviewed)
            try c.encode(mode, forKey: .mode)
            var derived = encoder.container(keyedBy: DerivedKeys.self)
            try derived.encode(estimatedPrecision, forKey: .estimatedPrecision)
        }
    }

    /// How often a rule failed while matching.
    public struct RuleErrorStat: Sendable, Codable, Equatable {
        /// The rule id.
        public var ruleID: String
        /// Comments on which the rule failed.
        public var count: Int

        /// A rule's failures.
        public init(ruleID: String, count: Int) {
            self.ruleID = ruleID
            self.count = count
        }

        enum CodingKeys: String, CodingKey {
            case count
            case ruleID = "rule_id"
        }
    }

    /// A rule that the traffic monitor switched to shadow mode.
    public struct ShadowedRule: Sendable, Codable, Equatable {
        /// The rule id.
        public var ruleID: String
        /// Why, in one sentence.
        public var reason: String
        /// When.
        public var at: Date

        /// A rule switched to shadow mode.
        public init(ruleID: String, reason: String, at: Date) {
            self.ruleID = ruleID
            self.reason = reason
            self.at = at
        }

        enum CodingKeys: String, CodingKey {
            case reason, at
            case ruleID = "rule_id"
        }
    }

    /// How a shadow rule's hits compare with what moderators decided.
    public struct ShadowAgreement: Sendable, Codable, Equatable {
        /// The rule id.
        public var ruleID: String
        /// Comments the shadow rule fired on.
        public var hits: Int
        /// Hits where the moderator's decision matched the rule's action.
        public var agreedWithModerators: Int
        /// Hits where it did not.
        public var disagreed: Int

        /// A shadow rule's agreement with moderators.
        public init(ruleID: String, hits: Int, agreedWithModerators: Int, disagreed: Int) {
            self.ruleID = ruleID
            self.hits = hits
            self.agreedWithModerators = agreedWithModerators
            self.disagreed = disagreed
        }

        /// The share of decided hits where moderators agreed, or `nil` when none was decided.
        public var agreement: Double? {
            let decided = agreedWithModerators + disagreed
            return decided > 0 ? Double(agreedWithModerators) / Double(decided) : nil
        }

        enum CodingKeys: String, CodingKey {
            case hits, disagreed
            case ruleID = "rule_id"
            case agreedWithModerators = "agreed_with_moderators"
        }
    }
}
