import Foundation
import Judging
import ModeratoReports

/// Fixed digests for the renderer tests: one day of a regional newspaper's comments, and an empty one.
enum DigestFixtures {
    /// `2026-11-28T07:00:00Z`.
    static let start = Date(timeIntervalSince1970: 1_795_849_200)
    /// `2026-11-29T07:00:00Z`.
    static let end = start.addingTimeInterval(86_400)
    /// `2026-11-29T07:02:00Z`.
    static let generatedAt = end.addingTimeInterval(120)

    /// The start of the hour `offset` hours after `start`.
    static func hour(_ offset: Int) -> Date {
        start.addingTimeInterval(TimeInterval(offset) * 3_600)
    }

    /// A day with nothing in it.
    static let empty = Digest(start: start, end: end, generatedAt: generatedAt, siteName: "The Harbour Gazette")

    /// (received, approved, held, rejected) per hour from 07:00; one comment of the last hour is still queued.
    static let hours: [(Int, Int, Int, Int)] = [
        (38, 35, 1, 2), (52, 48, 1, 3), (61, 56, 2, 3), (70, 64, 2, 4), (66, 61, 2, 3), (58, 53, 2, 3),
        (63, 58, 2, 3), (71, 65, 2, 4), (64, 59, 2, 3), (55, 51, 1, 3), (60, 55, 2, 3), (72, 66, 2, 4),
        (88, 78, 4, 6), (96, 85, 4, 7), (81, 72, 4, 5), (59, 54, 2, 3), (40, 37, 1, 2), (22, 20, 1, 1),
        (11, 10, 0, 1), (6, 6, 0, 0), (4, 3, 0, 1), (5, 4, 1, 0), (12, 10, 1, 1), (24, 20, 2, 1),
    ]

    /// A busy day: 1,178 comments, a rating campaign on one article, a noisy link rule.
    static let sample = Digest(
        start: start,
        end: end,
        generatedAt: generatedAt,
        siteName: "The Harbour Gazette",
        received: 1_178,
        byVerdict: [
            .init(verdict: "approved", count: 1_070),
            .init(verdict: "held", count: 41),
            .init(verdict: "rejected", count: 66),
            .init(verdict: "queued", count: 1),
        ],
        byDecider: [
            .init(decider: "pipeline", approved: 1_030, held: 93, rejected: 54),
            .init(decider: "alice", approved: 28, held: 0, rejected: 9),
            .init(decider: "bob", approved: 12, held: 0, rejected: 3),
        ],
        hourly: hours.enumerated().map { index, counts in
            .init(hour: hour(index), received: counts.0, approved: counts.1, held: counts.2, rejected: counts.3)
        },
        busiestArticles: [
            .init(articleID: "harbour-wall-repairs", comments: 212, held: 6, rejected: 9, ratingCounts: [12, 8, 20, 64, 108]),
            .init(articleID: "council-budget-2027", comments: 187, held: 14, rejected: 21, ratingCounts: [96, 11, 9, 14, 57]),
            .init(articleID: "lifeboat-rescue-porthleven", comments: 143, held: 2, rejected: 3, ratingCounts: [1, 2, 6, 30, 104]),
            .init(articleID: "ferry-timetable-winter", comments: 98, held: 5, rejected: 4, ratingCounts: [20, 18, 25, 20, 15]),
            .init(articleID: "bypass-consultation-draws-record-objections-from-residents-of-three-villages",
                  comments: 61, held: 3, rejected: 6, ratingCounts: [10, 10, 12, 15, 14]),
        ],
        ratingDistribution: [160, 98, 171, 290, 459],
        averageRating: 4_324.0 / 1_178.0,
        ratingAlerts: [
            .init(articleID: "council-budget-2027", window: "19:00-23:00 UTC", extremeRatings: 83,
                  shareFromNewAuthors: 0.72,
                  message: "One-star ratings arrived in a burst after the article was shared on a forum."),
        ],
        heldNow: 44,
        oldestHeldAge: 30 * 3_600 + 20 * 60,
        overSLA: 3,
        slaHours: 24,
        medianTimeToDecision: 38 * 60,
        backlogAges: [
            .init(label: "<1h", count: 9), .init(label: "1–4h", count: 17), .init(label: "4–12h", count: 11),
            .init(label: "12–24h", count: 4), .init(label: ">24h", count: 3),
        ],
        ruleStats: [
            .init(ruleID: "spam.self_promotion", kind: .rule, hits: 96, overturned: 2, reviewed: 40),
            .init(ruleID: "links.shortener", kind: .rule, hits: 212, overturned: 5, reviewed: 13),
            .init(ruleID: "abuse.directed_insult", kind: .rule, hits: 74, overturned: 9, reviewed: 31),
            .init(ruleID: "shape.shouting", kind: .heuristic, hits: 58, overturned: 6, reviewed: 9),
            .init(ruleID: "toxicity", kind: .classifier, hits: 140, overturned: 0, reviewed: 0, mode: .shadow),
            .init(ruleID: "personal.phone_number", kind: .rule, hits: 12, overturned: 0, reviewed: 12),
            .init(ruleID: "links.suspicious_tld", kind: .rule, hits: 31, overturned: 0, reviewed: 12),
        ],
        ruleErrors: [.init(ruleID: "legal.injunction", count: 2)],
        autoShadowed: [
            .init(ruleID: "links.messaging_invite", reason: "matched 41% of comments in an hour, above the 20% limit",
                  at: hour(13).addingTimeInterval(12 * 60)),
        ],
        shadowAgreement: [.init(ruleID: "toxicity", hits: 140, agreedWithModerators: 30, disagreed: 6)],
        topAuthors: [.init(value: "CheapWatches4U", rejected: 12), .init(value: "Ratepayer1984", rejected: 7)],
        topNetworks: [.init(value: "203.0.113.0/24", rejected: 15), .init(value: "2001:db8:42::/48", rejected: 6)],
        topDomains: [.init(value: "bit.ly", rejected: 9), .init(value: "replica-watch.example", rejected: 8)],
        blocksAdded: 4,
        blocksExpired: 2,
        latencyP50: 0.18,
        latencyP95: 1.24,
        latencyP99: 4.8,
        throughputPerHour: 49.04,
        pipelineErrors: 0,
        webhookFailures: 2,
        webhookBacklog: 0
    )
}

extension DigestFixtures {
    /// A week of hostile data: long and wide names, control characters, markup, huge numbers.
    static let hostile: Digest = {
        var digest = sample
        digest.start = start.addingTimeInterval(-6 * 86_400)
        digest.siteName = "The Harbour Gazette and Western Morning Advertiser (incorporating the Packet)"
        digest.received = 1_234_567_890
        digest.hourly = (0..<168).map { index in
            .init(hour: start.addingTimeInterval(TimeInterval(index - 144) * 3_600), received: 1_000_000 + index * 7_919,
                  approved: 900_000, held: 50_000, rejected: 12_345_678)
        }
        let wide = "新闻评论审核系统的一个非常长的文章标识符用于测试宽字符的显示宽度是否被正确计算"
        digest.busiestArticles.append(.init(articleID: wide, comments: 123_456_789, held: 1_234_567, rejected: 7_654_321,
                                            ratingCounts: [1, 2, 3, 4, 5]))
        digest.busiestArticles.append(.init(articleID: "emoji-🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉", comments: 5,
                                            held: 0, rejected: 0, ratingCounts: [0, 0, 0, 0, 5]))
        digest.ratingAlerts.append(.init(
            articleID: String(repeating: "very-long-article-id-", count: 8), window: "last 7 days and then some more",
            extremeRatings: 98_765_432, shareFromNewAuthors: 0.999,
            message: String(repeating: "Supercalifragilisticexpialidocious", count: 4) + " and a very long sentence."))
        digest.ruleStats.append(.init(ruleID: "legal." + String(repeating: "x", count: 120), kind: .rule,
                                      hits: 2_000_000_000, overturned: 1_999_999_999, reviewed: 2_000_000_000))
        digest.autoShadowed.append(.init(ruleID: "links.\u{1B}[31mred\u{1B}[0m", reason: "line one\nline two\r\u{7}bell",
                                         at: start))
        digest.topAuthors = [
            .init(value: "<script>alert(1)</script>", rejected: 99),
            .init(value: "\u{1B}[1;31mBOLD RED\u{1B}[0m", rejected: 50),
            .init(value: "evil\u{202E}gnp.exe", rejected: 40),
            .init(value: "名字很长的评论者名字很长的评论者名字很长的评论者名字很长的评论者名字很长的评论者", rejected: 30),
            .init(value: "pipe|and`backtick`and*stars*", rejected: 20),
        ]
        digest.topDomains.append(.init(value: "\"><img src=x onerror=alert(1)>", rejected: 3))
        digest.backlogAges.append(.init(label: "<b>old</b>", count: 1))
        return digest
    }()
}
