import Moderation

/// What other hold and reject thresholds would have done with the same scores.
///
/// Every judged comment keeps its total score and whether a rule action forced its verdict; each
/// threshold pair then re-decides the comments the way ``Policy`` does. In an `--online` run the
/// site's learning layer learned from the holds made at the thresholds actually used, so the other pairs
/// show those scores re-decided, not a replay.
public struct ThresholdSweep: Sendable, Encodable {
    /// One judged comment, as far as thresholds are concerned.
    public struct Scored: Sendable {
        public var isUnwanted: Bool
        /// The verdict a rule action forced, if any; thresholds do not change it.
        public var forced: Verdict?
        public var score: Double
        /// Orders comments of equal score for ROC AUC (the model's probability): many comments score 0,
        /// and the model still ranks them. Thresholds never see it.
        public var tieBreak: Double

        public init(isUnwanted: Bool, forced: Verdict?, score: Double, tieBreak: Double = 0) {
            self.isUnwanted = isUnwanted
            self.forced = forced
            self.score = score
            self.tieBreak = tieBreak
        }

        public init(isUnwanted: Bool, signals: [Signal], tieBreak: Double = 0) {
            let active = signals.filter { !$0.isShadow }
            self.init(isUnwanted: isUnwanted, forced: Policy.forcedVerdict(active), score: active.reduce(0) { $0 + $1.score }, tieBreak: tieBreak)
        }
    }

    /// The outcome of one threshold pair.
    public struct Point: Sendable, Encodable, Equatable {
        public var hold: Double
        public var reject: Double
        public var f1: Double
        public var wantedRejectedRate: Double
        public var unwantedApprovedRate: Double
        public var holdRate: Double
        /// Wanted comments held: the reviews moderators would not have needed.
        public var wantedHeldRate: Double

        enum CodingKeys: String, CodingKey {
            case hold, reject, f1
            case wantedHeldRate = "wanted_held_rate"
            case wantedRejectedRate = "wanted_rejected_rate"
            case unwantedApprovedRate = "unwanted_approved_rate"
            case holdRate = "hold_rate"
        }
    }

    /// The most wanted comments that may be rejected and unwanted ones that may be approved, as shares.
    public struct Limits: Sendable, Encodable, Equatable {
        public var wantedRejected: Double
        public var unwantedApproved: Double

        public init(wantedRejected: Double, unwantedApproved: Double) {
            self.wantedRejected = wantedRejected
            self.unwantedApproved = unwantedApproved
        }

        enum CodingKeys: String, CodingKey {
            case wantedRejected = "wanted_rejected_rate"
            case unwantedApproved = "unwanted_approved_rate"
        }
    }

    public var limits: Limits
    /// The thresholds the run used.
    public var current: Point
    /// Within the limits, the pair that holds the fewest comments (then the best F1), if any pair is.
    public var fewestHeld: Point?
    /// Within the limits, the pair with the best F1 (then the fewest held), if any pair is.
    public var bestF1: Point?
    /// Within the wanted-rejected limit alone, the pair that approves the fewest unwanted comments
    /// (then holds the fewest): the nearest miss when no pair meets both limits.
    public var fewestUnwantedApproved: Point?
    /// The current reject threshold with each whole hold threshold below it, from 1.
    public var byHold: [Point]
    /// How well the scores separate the two kinds, whatever the thresholds: the chance that an unwanted
    /// comment ranks above a wanted one (ROC AUC; ties count half). A forced reject ranks above every
    /// score and a forced approve below.
    public var separation: Double
    /// Wanted comments rejected by rule actions alone, which no threshold changes.
    public var forcedWantedRejectedRate: Double
    /// Unwanted comments approved by rule actions alone.
    public var forcedUnwantedApprovedRate: Double
    /// One point for each hold threshold from 1 to 15 in steps of 0.5 and each reject threshold from
    /// there to 40 in steps of 1.
    public var points: [Point]

    enum CodingKeys: String, CodingKey {
        case limits, current, points
        case fewestHeld = "fewest_held"
        case bestF1 = "best_f1"
        case fewestUnwantedApproved = "fewest_unwanted_approved"
        case byHold = "by_hold"
        case separation = "auc"
        case forcedWantedRejectedRate = "forced_wanted_rejected_rate"
        case forcedUnwantedApprovedRate = "forced_unwanted_approved_rate"
    }

    public init(_ scored: [Scored], current: PolicyConfiguration, limits: Limits) {
        self.limits = limits
        let wanted = scored.filter { !$0.isUnwanted }
        let unwanted = scored.filter(\.isUnwanted)
        forcedWantedRejectedRate = Self.share(wanted.count { $0.forced == .rejected }, of: wanted.count)
        forcedUnwantedApprovedRate = Self.share(unwanted.count { $0.forced == .approved }, of: unwanted.count)
        self.current = Self.point(scored, hold: current.holdThreshold, reject: current.rejectThreshold)
        separation = Self.separation(scored)
        var points: [Point] = []
        for hold in stride(from: 1.0, through: 15, by: 0.5) {
            for reject in stride(from: (hold + 0.5).rounded(.up), through: 40, by: 1) {
                points.append(Self.point(scored, hold: hold, reject: reject))
            }
        }
        self.points = points
        let allowed = points.filter { $0.wantedRejectedRate <= limits.wantedRejected && $0.unwantedApprovedRate <= limits.unwantedApproved }
        fewestHeld = allowed.min { ($0.holdRate, -$0.f1) < ($1.holdRate, -$1.f1) }
        bestF1 = allowed.min { (-$0.f1, $0.holdRate) < (-$1.f1, $1.holdRate) }
        fewestUnwantedApproved = points.filter { $0.wantedRejectedRate <= limits.wantedRejected }
            .min { ($0.unwantedApprovedRate, $0.holdRate) < ($1.unwantedApprovedRate, $1.holdRate) }
        byHold = stride(from: 1.0, to: current.rejectThreshold, by: 1).map {
            Self.point(scored, hold: $0, reject: current.rejectThreshold)
        }
    }

    /// The outcome of one threshold pair over the scored comments.
    public static func point(_ scored: [Scored], hold: Double, reject: Double) -> Point {
        var wanted = Evaluation.Verdicts()
        var unwanted = Evaluation.Verdicts()
        for item in scored {
            let verdict = item.forced ?? (item.score >= reject ? .rejected : item.score >= hold ? .held : .approved)
            switch (verdict, item.isUnwanted) {
            case (.approved, false): wanted.approved += 1
            case (.held, false): wanted.held += 1
            case (.rejected, false): wanted.rejected += 1
            case (.approved, true): unwanted.approved += 1
            case (.held, true): unwanted.held += 1
            case (.rejected, true): unwanted.rejected += 1
            }
        }
        let report = Evaluation.Report(wanted: wanted, unwanted: unwanted, feedback: 0, skipped: 0)
        return Point(hold: hold, reject: reject, f1: report.f1, wantedRejectedRate: report.wantedRejectedRate,
                     unwantedApprovedRate: report.unwantedApprovedRate, holdRate: report.holdRate,
                     wantedHeldRate: share(wanted.held, of: wanted.total))
    }

    /// ROC AUC of the scores, by ranks (Mann–Whitney U), with tied ranks averaged.
    public static func separation(_ scored: [Scored]) -> Double {
        func rankable(_ item: Scored) -> Double {
            switch item.forced {
            case .rejected: .infinity
            case .approved: -.infinity
            default: item.score + min(max(item.tieBreak, 0), 1) * 1e-3
            }
        }
        let sorted = scored.map { (value: rankable($0), unwanted: $0.isUnwanted) }.sorted { $0.value < $1.value }
        let unwantedCount = sorted.count { $0.unwanted }
        let wantedCount = sorted.count - unwantedCount
        guard unwantedCount > 0, wantedCount > 0 else { return 0.5 }
        var rankSum = 0.0
        var start = 0
        while start < sorted.count {
            var end = start
            while end + 1 < sorted.count && sorted[end + 1].value == sorted[start].value { end += 1 }
            let rank = Double(start + end) / 2 + 1
            rankSum += rank * Double(sorted[start...end].count { $0.unwanted })
            start = end + 1
        }
        let u = rankSum - Double(unwantedCount) * Double(unwantedCount + 1) / 2
        return u / (Double(unwantedCount) * Double(wantedCount))
    }

    static func share(_ count: Int, of total: Int) -> Double {
        total == 0 ? 0 : Double(count) / Double(total)
    }
}
