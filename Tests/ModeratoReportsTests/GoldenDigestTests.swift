import Foundation
import ModeratoReports
import Testing

/// Golden outputs for the sample digest. When a renderer changes on purpose, print the new output, read it
/// carefully, and paste it here.
@Suite struct GoldenDigestTests {
    @Test func text() throws {
        try expectGolden(DigestRenderer.render(DigestFixtures.sample, as: .text), Self.text)
    }

    @Test func markdown() throws {
        try expectGolden(DigestRenderer.render(DigestFixtures.sample, as: .markdown), Self.markdown)
    }

    @Test func json() throws {
        try expectGolden(DigestRenderer.render(DigestFixtures.sample, as: .json), Self.json)
    }

    static let text = #"""
        Moderation digest: The Harbour Gazette
        28 Nov 2026 07:00 to 29 Nov 2026 07:00 UTC

        Summary
        -------
        1,178 comments received between 28 Nov 07:00 and 29 Nov 07:00 UTC: 1,070
        approved (91%), 41 held, 66 rejected, 1 still queued. 44 comments are waiting
        for a moderator; the oldest has waited 1d 6h, and 3 are over the 24h SLA. 1
        rating alert needs a look.

        Volume
        ------
          Verdict   Comments  Share
          approved     1,070    91%
          held            41     3%
          rejected        66     6%
          queued           1    <1%

          Decided by  Approved  Held  Rejected
          pipeline       1,030    93        54
          alice             28     0         9
          bob               12     0         3

          Hour (UTC)  Received  Held  Rejected
          07:00             38     1         2  ################
          08:00             52     1         3  ######################
          09:00             61     2         3  #########################
          10:00             70     2         4  #############################
          11:00             66     2         3  ############################
          12:00             58     2         3  ########################
          13:00             63     2         3  ##########################
          14:00             71     2         4  ##############################
          15:00             64     2         3  ###########################
          16:00             55     1         3  #######################
          17:00             60     2         3  #########################
          18:00             72     2         4  ##############################
          19:00             88     4         6  #####################################
          20:00             96     4         7  ########################################
          21:00             81     4         5  ##################################
          22:00             59     2         3  #########################
          23:00             40     1         2  #################
          00:00             22     1         1  #########
          01:00             11     0         1  #####
          02:00              6     0         0  ###
          03:00              4     0         1  ##
          04:00              5     1         0  ##
          05:00             12     1         1  #####
          06:00             24     2         1  ##########
          Busiest hour: 96 comments at 20:00; quietest: 4 at 03:00.

        Busiest articles
        ----------------
          Article                                       Comments  Held  Rejected  Rating
          harbour-wall-repairs                               212     6         9     4.2
          council-budget-2027                                187    14        21     2.6
          lifeboat-rescue-porthleven                         143     2         3     4.6
          ferry-timetable-winter                              98     5         4     2.9
          bypass-consultation-draws-record-objectio...        61     3         6     3.2

        Ratings
        -------
          Rating   Comments  Share
          5 stars       459    39%  ########################################
          4 stars       290    25%  #########################
          3 stars       171    15%  ###############
          2 stars        98     8%  #########
          1 star        160    14%  ##############
          Average 3.7 stars from 1,178 ratings.

          Alerts
          ! council-budget-2027: 83 extreme ratings (19:00-23:00 UTC), 72% from new
            authors. One-star ratings arrived in a burst after the article was shared on
            a forum.

        Backlog
        -------
          Held now                    44
          Oldest waiting           1d 6h
          Over the 24h SLA             3
          Median time to decision    38m

          Waiting  Held
          <1h         9  #####################
          1–4h       17  ########################################
          4–12h      11  ##########################
          12–24h      4  #########
          >24h        3  #######

        Rules
        -----
        Noisiest first: the lowest share of hits upheld by moderators.
          1.  shape.shouting (heuristic)
              58 hits, precision 33% (6 of 9 overturned)
          2.  links.shortener (rule)
              212 hits, precision 62% (5 of 13 overturned)
          3.  abuse.directed_insult (rule)
              74 hits, precision 71% (9 of 31 overturned)
          4.  spam.self_promotion (rule)
              96 hits, precision 95% (2 of 40 overturned)
          5.  links.suspicious_tld (rule)
              31 hits, precision 100% (0 of 12 overturned)
          6.  personal.phone_number (rule)
              12 hits, precision 100% (0 of 12 overturned)
          7.  toxicity (classifier, shadow)
              140 hits, not reviewed

          Rule errors       Count
          legal.injunction      2

          Switched to shadow mode
          - links.messaging_invite, 28 Nov 20:12 UTC: matched 41% of comments in an
            hour, above the 20% limit

          Shadow rules against moderators
          - toxicity: 140 hits, moderators agreed with 30 of 36 (83%).

        Offenders
        ---------
          Author          Rejected
          CheapWatches4U        12
          Ratepayer1984          7

          Network           Rejected
          203.0.113.0/24          15
          2001:db8:42::/48         6

          Domain                 Rejected
          bit.ly                        9
          replica-watch.example         8

          Blocks: 4 added, 2 expired.

        Pipeline health
        ---------------
          Time to verdict  p50 180 ms, p95 1.2 s, p99 4.8 s
          Throughput       49.0 comments/hour
          Pipeline errors  0
          Webhooks         2 failed, none waiting

        Generated 29 Nov 2026 07:02 UTC by Moderato.
        """#

    static let markdown = #"""
        # Moderation digest: The Harbour Gazette

        28 Nov 2026 07:00 to 29 Nov 2026 07:00 UTC

        ## Summary

        1,178 comments received between 28 Nov 07:00 and 29 Nov 07:00 UTC: 1,070 approved (91%), 41 held, 66 rejected, 1 still queued. 44 comments are waiting for a moderator; the oldest has waited 1d 6h, and 3 are over the 24h SLA. 1 rating alert needs a look.

        ## Volume

        | Verdict | Comments | Share |
        | :-- | --: | --: |
        | approved | 1,070 | 91% |
        | held | 41 | 3% |
        | rejected | 66 | 6% |
        | queued | 1 | <1% |

        | Decided by | Approved | Held | Rejected |
        | :-- | --: | --: | --: |
        | pipeline | 1,030 | 93 | 54 |
        | alice | 28 | 0 | 9 |
        | bob | 12 | 0 | 3 |

        Comments per hour, 07:00 to 06:00 UTC: `▄▅▆▆▆▆▆▆▆▅▆▇██▇▆▅▃▃▂▂▂▃▄`  
        Busiest hour: 96 comments at 20:00; quietest: 4 at 03:00.

        ## Busiest articles

        | Article | Comments | Held | Rejected | Rating |
        | :-- | --: | --: | --: | --: |
        | `harbour-wall-repairs` | 212 | 6 | 9 | 4.2 |
        | `council-budget-2027` | 187 | 14 | 21 | 2.6 |
        | `lifeboat-rescue-porthleven` | 143 | 2 | 3 | 4.6 |
        | `ferry-timetable-winter` | 98 | 5 | 4 | 2.9 |
        | `bypass-consultation-draws-record-objections-from-residents-of-three-villages` | 61 | 3 | 6 | 3.2 |

        ## Ratings

        | Rating | Comments | Share |
        | :-- | --: | --: |
        | ★★★★★ | 459 | 39% |
        | ★★★★☆ | 290 | 25% |
        | ★★★☆☆ | 171 | 15% |
        | ★★☆☆☆ | 98 | 8% |
        | ★☆☆☆☆ | 160 | 14% |

        Average **3.7** stars from 1,178 ratings.

        **Rating alerts**

        - `council-budget-2027`: 83 extreme ratings (19:00-23:00 UTC), 72% from new authors. One-star ratings arrived in a burst after the article was shared on a forum.

        ## Backlog

        - Held now: **44**
        - Oldest waiting: 1d 6h
        - Over the 24h SLA: 3
        - Median time to decision: 38m

        | Waiting | Held |
        | :-- | --: |
        | \<1h | 9 |
        | 1–4h | 17 |
        | 4–12h | 11 |
        | 12–24h | 4 |
        | \>24h | 3 |

        ## Rules

        Noisiest first: the lowest share of hits upheld by moderators.

        | Rule | Kind | Hits | Precision |
        | :-- | :-- | --: | :-- |
        | `shape.shouting` | heuristic | 58 | 33% (6 of 9 overturned) |
        | `links.shortener` | rule | 212 | 62% (5 of 13 overturned) |
        | `abuse.directed_insult` | rule | 74 | 71% (9 of 31 overturned) |
        | `spam.self_promotion` | rule | 96 | 95% (2 of 40 overturned) |
        | `links.suspicious_tld` | rule | 31 | 100% (0 of 12 overturned) |
        | `personal.phone_number` | rule | 12 | 100% (0 of 12 overturned) |
        | `toxicity` | classifier, shadow | 140 | not reviewed |

        | Rule errors | Count |
        | :-- | --: |
        | `legal.injunction` | 2 |

        **Switched to shadow mode**

        - `links.messaging_invite`, 28 Nov 20:12 UTC: matched 41% of comments in an hour, above the 20% limit

        **Shadow rules against moderators**

        - `toxicity`: 140 hits, moderators agreed with 30 of 36 (83%).

        ## Offenders

        | Author | Rejected |
        | :-- | --: |
        | `CheapWatches4U` | 12 |
        | `Ratepayer1984` | 7 |

        | Network | Rejected |
        | :-- | --: |
        | `203.0.113.0/24` | 15 |
        | `2001:db8:42::/48` | 6 |

        | Domain | Rejected |
        | :-- | --: |
        | `bit.ly` | 9 |
        | `replica-watch.example` | 8 |

        Blocks: 4 added, 2 expired.

        ## Pipeline health

        - Time to verdict: p50 180 ms, p95 1.2 s, p99 4.8 s
        - Throughput: 49.0 comments/hour
        - Pipeline errors: 0
        - Webhooks: 2 failed, none waiting

        _Generated 29 Nov 2026 07:02 UTC by Moderato._
        """#

    static let json = #"""
        {
          "auto_shadowed" : [
            {
              "at" : "2026-11-28T20:12:00Z",
              "reason" : "matched 41% of comments in an hour, above the 20% limit",
              "rule_id" : "links.messaging_invite"
            }
          ],
          "average_rating" : 3.6706281833616297,
          "backlog_ages" : [
            {
              "count" : 9,
              "label" : "<1h"
            },
            {
              "count" : 17,
              "label" : "1–4h"
            },
            {
              "count" : 11,
              "label" : "4–12h"
            },
            {
              "count" : 4,
              "label" : "12–24h"
            },
            {
              "count" : 3,
              "label" : ">24h"
            }
          ],
          "blocks_added" : 4,
          "blocks_expired" : 2,
          "busiest_articles" : [
            {
              "article_id" : "harbour-wall-repairs",
              "average_rating" : 4.169811320754717,
              "comments" : 212,
              "held" : 6,
              "rating_counts" : [
                12,
                8,
                20,
                64,
                108
              ],
              "rejected" : 9
            },
            {
              "article_id" : "council-budget-2027",
              "average_rating" : 2.5989304812834226,
              "comments" : 187,
              "held" : 14,
              "rating_counts" : [
                96,
                11,
                9,
                14,
                57
              ],
              "rejected" : 21
            },
            {
              "article_id" : "lifeboat-rescue-porthleven",
              "average_rating" : 4.636363636363637,
              "comments" : 143,
              "held" : 2,
              "rating_counts" : [
                1,
                2,
                6,
                30,
                104
              ],
              "rejected" : 3
            },
            {
              "article_id" : "ferry-timetable-winter",
              "average_rating" : 2.9183673469387754,
              "comments" : 98,
              "held" : 5,
              "rating_counts" : [
                20,
                18,
                25,
                20,
                15
              ],
              "rejected" : 4
            },
            {
              "article_id" : "bypass-consultation-draws-record-objections-from-residents-of-three-villages",
              "average_rating" : 3.2131147540983607,
              "comments" : 61,
              "held" : 3,
              "rating_counts" : [
                10,
                10,
                12,
                15,
                14
              ],
              "rejected" : 6
            }
          ],
          "by_decider" : [
            {
              "approved" : 1030,
              "decider" : "pipeline",
              "held" : 93,
              "rejected" : 54
            },
            {
              "approved" : 28,
              "decider" : "alice",
              "held" : 0,
              "rejected" : 9
            },
            {
              "approved" : 12,
              "decider" : "bob",
              "held" : 0,
              "rejected" : 3
            }
          ],
          "by_verdict" : [
            {
              "count" : 1070,
              "verdict" : "approved"
            },
            {
              "count" : 41,
              "verdict" : "held"
            },
            {
              "count" : 66,
              "verdict" : "rejected"
            },
            {
              "count" : 1,
              "verdict" : "queued"
            }
          ],
          "end" : "2026-11-29T07:00:00Z",
          "generated_at" : "2026-11-29T07:02:00Z",
          "held_now" : 44,
          "hourly" : [
            {
              "approved" : 35,
              "held" : 1,
              "hour" : "2026-11-28T07:00:00Z",
              "received" : 38,
              "rejected" : 2
            },
            {
              "approved" : 48,
              "held" : 1,
              "hour" : "2026-11-28T08:00:00Z",
              "received" : 52,
              "rejected" : 3
            },
            {
              "approved" : 56,
              "held" : 2,
              "hour" : "2026-11-28T09:00:00Z",
              "received" : 61,
              "rejected" : 3
            },
            {
              "approved" : 64,
              "held" : 2,
              "hour" : "2026-11-28T10:00:00Z",
              "received" : 70,
              "rejected" : 4
            },
            {
              "approved" : 61,
              "held" : 2,
              "hour" : "2026-11-28T11:00:00Z",
              "received" : 66,
              "rejected" : 3
            },
            {
              "approved" : 53,
              "held" : 2,
              "hour" : "2026-11-28T12:00:00Z",
              "received" : 58,
              "rejected" : 3
            },
            {
              "approved" : 58,
              "held" : 2,
              "hour" : "2026-11-28T13:00:00Z",
              "received" : 63,
              "rejected" : 3
            },
            {
              "approved" : 65,
              "held" : 2,
              "hour" : "2026-11-28T14:00:00Z",
              "received" : 71,
              "rejected" : 4
            },
            {
              "approved" : 59,
              "held" : 2,
              "hour" : "2026-11-28T15:00:00Z",
              "received" : 64,
              "rejected" : 3
            },
            {
              "approved" : 51,
              "held" : 1,
              "hour" : "2026-11-28T16:00:00Z",
              "received" : 55,
              "rejected" : 3
            },
            {
              "approved" : 55,
              "held" : 2,
              "hour" : "2026-11-28T17:00:00Z",
              "received" : 60,
              "rejected" : 3
            },
            {
              "approved" : 66,
              "held" : 2,
              "hour" : "2026-11-28T18:00:00Z",
              "received" : 72,
              "rejected" : 4
            },
            {
              "approved" : 78,
              "held" : 4,
              "hour" : "2026-11-28T19:00:00Z",
              "received" : 88,
              "rejected" : 6
            },
            {
              "approved" : 85,
              "held" : 4,
              "hour" : "2026-11-28T20:00:00Z",
              "received" : 96,
              "rejected" : 7
            },
            {
              "approved" : 72,
              "held" : 4,
              "hour" : "2026-11-28T21:00:00Z",
              "received" : 81,
              "rejected" : 5
            },
            {
              "approved" : 54,
              "held" : 2,
              "hour" : "2026-11-28T22:00:00Z",
              "received" : 59,
              "rejected" : 3
            },
            {
              "approved" : 37,
              "held" : 1,
              "hour" : "2026-11-28T23:00:00Z",
              "received" : 40,
              "rejected" : 2
            },
            {
              "approved" : 20,
              "held" : 1,
              "hour" : "2026-11-29T00:00:00Z",
              "received" : 22,
              "rejected" : 1
            },
            {
              "approved" : 10,
              "held" : 0,
              "hour" : "2026-11-29T01:00:00Z",
              "received" : 11,
              "rejected" : 1
            },
            {
              "approved" : 6,
              "held" : 0,
              "hour" : "2026-11-29T02:00:00Z",
              "received" : 6,
              "rejected" : 0
            },
            {
              "approved" : 3,
              "held" : 0,
              "hour" : "2026-11-29T03:00:00Z",
              "received" : 4,
              "rejected" : 1
            },
            {
              "approved" : 4,
              "held" : 1,
              "hour" : "2026-11-29T04:00:00Z",
              "received" : 5,
              "rejected" : 0
            },
            {
              "approved" : 10,
              "held" : 1,
              "hour" : "2026-11-29T05:00:00Z",
              "received" : 12,
              "rejected" : 1
            },
            {
              "approved" : 20,
              "held" : 2,
              "hour" : "2026-11-29T06:00:00Z",
              "received" : 24,
              "rejected" : 1
            }
          ],
          "is_empty" : false,
          "latency_p50" : 0.18,
          "latency_p95" : 1.24,
          "latency_p99" : 4.8,
          "median_time_to_decision" : 2280,
          "oldest_held_age" : 109200,
          "over_sla" : 3,
          "pipeline_errors" : 0,
          "rating_alerts" : [
            {
              "article_id" : "council-budget-2027",
              "extreme_ratings" : 83,
              "message" : "One-star ratings arrived in a burst after the article was shared on a forum.",
              "share_from_new_authors" : 0.72,
              "window" : "19:00-23:00 UTC"
            }
          ],
          "rating_distribution" : [
            160,
            98,
            171,
            290,
            459
          ],
          "received" : 1178,
          "rule_errors" : [
            {
              "count" : 2,
              "rule_id" : "legal.injunction"
            }
          ],
          "rule_stats" : [
            {
              "estimated_precision" : 0.95,
              "hits" : 96,
              "kind" : "rule",
              "mode" : "active",
              "overturned" : 2,
              "reviewed" : 40,
              "rule_id" : "spam.self_promotion"
            },
            {
              "estimated_precision" : 0.6153846153846154,
              "hits" : 212,
              "kind" : "rule",
              "mode" : "active",
              "overturned" : 5,
              "reviewed" : 13,
              "rule_id" : "links.shortener"
            },
            {
              "estimated_precision" : 0.7096774193548387,
              "hits" : 74,
              "kind" : "rule",
              "mode" : "active",
              "overturned" : 9,
              "reviewed" : 31,
              "rule_id" : "abuse.directed_insult"
            },
            {
              "estimated_precision" : 0.33333333333333337,
              "hits" : 58,
              "kind" : "heuristic",
              "mode" : "active",
              "overturned" : 6,
              "reviewed" : 9,
              "rule_id" : "shape.shouting"
            },
            {
              "estimated_precision" : null,
              "hits" : 140,
              "kind" : "classifier",
              "mode" : "shadow",
              "overturned" : 0,
              "reviewed" : 0,
              "rule_id" : "toxicity"
            },
            {
              "estimated_precision" : 1,
              "hits" : 12,
              "kind" : "rule",
              "mode" : "active",
              "overturned" : 0,
              "reviewed" : 12,
              "rule_id" : "personal.phone_number"
            },
            {
              "estimated_precision" : 1,
              "hits" : 31,
              "kind" : "rule",
              "mode" : "active",
              "overturned" : 0,
              "reviewed" : 12,
              "rule_id" : "links.suspicious_tld"
            }
          ],
          "shadow_agreement" : [
            {
              "agreed_with_moderators" : 30,
              "disagreed" : 6,
              "hits" : 140,
              "rule_id" : "toxicity"
            }
          ],
          "site_name" : "The Harbour Gazette",
          "sla_hours" : 24,
          "start" : "2026-11-28T07:00:00Z",
          "summary" : "1,178 comments received between 28 Nov 07:00 and 29 Nov 07:00 UTC: 1,070 approved (91%), 41 held, 66 rejected, 1 still queued. 44 comments are waiting for a moderator; the oldest has waited 1d 6h, and 3 are over the 24h SLA. 1 rating alert needs a look.",
          "throughput_per_hour" : 49.04,
          "top_authors" : [
            {
              "rejected" : 12,
              "value" : "CheapWatches4U"
            },
            {
              "rejected" : 7,
              "value" : "Ratepayer1984"
            }
          ],
          "top_domains" : [
            {
              "rejected" : 9,
              "value" : "bit.ly"
            },
            {
              "rejected" : 8,
              "value" : "replica-watch.example"
            }
          ],
          "top_networks" : [
            {
              "rejected" : 15,
              "value" : "203.0.113.0/24"
            },
            {
              "rejected" : 6,
              "value" : "2001:db8:42::/48"
            }
          ],
          "webhook_backlog" : 0,
          "webhook_failures" : 2
        }
        """#
}

/// Compares an output with its golden copy (which lacks the final line break) line by line, so that a
/// failure names the first line that differs instead of printing both documents.
func expectGolden(_ actual: String, _ golden: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let expected = golden + "\n"
    guard actual != expected else { return }
    let actualLines = actual.components(separatedBy: "\n")
    let expectedLines = expected.components(separatedBy: "\n")
    for index in 0..<max(actualLines.count, expectedLines.count) {
        let a = index < actualLines.count ? actualLines[index] : "(end of output)"
        let e = index < expectedLines.count ? expectedLines[index] : "(end of output)"
        if a != e {
            Issue.record("line \(index + 1) differs\n  expected: \(e.debugDescription)\n  actual:   \(a.debugDescription)",
                         sourceLocation: sourceLocation)
            return
        }
    }
}
