import Foundation
import Synchronization

/// Token buckets by key (readers' reports, sign-in attempts): each key may spend `perHour` tokens an hour, refilled evenly, with the whole
/// hour's allowance available at once. Kept in memory (each daemon counts its own requests), and
/// bounded: past `maximumKeys`, keys whose bucket has refilled are forgotten, then the least full.
///
/// ```swift
/// let limiter = RateLimiter(perHour: 30)
/// if let wait = limiter.take("reader-17") { /* answer 429 with Retry-After: wait */ }
/// ```
package final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: Date
    }

    let perHour: Int
    let maximumKeys: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    package init(perHour: Int, maximumKeys: Int = 50_000) {
        self.perHour = perHour
        self.maximumKeys = maximumKeys
    }

    /// Spends a token for `key`; returns nil when there was one, or the seconds until there will be.
    package func take(_ key: String, at now: Date = Date()) -> Int? {
        let capacity = Double(perHour)
        let perSecond = capacity / 3600
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = Self.level(bucket, capacity: capacity, perSecond: perSecond, at: now)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[key] = bucket
                let missing: Double = 1 - bucket.tokens
                let seconds: Double = (missing / perSecond).rounded(.up)
                return Swift.max(1, Int(seconds))
            }
            bucket.tokens -= 1
            buckets[key] = bucket
            if buckets.count > maximumKeys { Self.prune(&buckets, capacity: capacity, perSecond: perSecond, keep: maximumKeys / 2, at: now) }
            return nil
        }
    }

    /// Gives back a token taken for a request that was refused for another reason.
    package func giveBack(_ key: String) {
        buckets.withLock { buckets in
            if var bucket = buckets[key] {
                bucket.tokens = min(Double(perHour), bucket.tokens + 1)
                buckets[key] = bucket
            }
        }
    }

    private static func prune(_ buckets: inout [String: Bucket], capacity: Double, perSecond: Double, keep: Int, at now: Date) {
        func level(_ bucket: Bucket) -> Double { Self.level(bucket, capacity: capacity, perSecond: perSecond, at: now) }
        buckets = buckets.filter { level($0.value) < capacity }
        if buckets.count > keep {
            // The emptiest buckets are the ones worth remembering.
            let emptiest: [(key: String, value: Bucket)] = buckets.sorted { level($0.value) < level($1.value) }
            var kept: [String: Bucket] = [:]
            for entry in emptiest.prefix(keep) { kept[entry.key] = entry.value }
            buckets = kept
        }
    }

    /// A bucket's tokens at `now`: what it had, plus what flowed in since, up to the capacity.
    private static func level(_ bucket: Bucket, capacity: Double, perSecond: Double, at now: Date) -> Double {
        let elapsed: Double = Swift.max(0, now.timeIntervalSince(bucket.updated))
        let refilled: Double = bucket.tokens + elapsed * perSecond
        return Swift.min(capacity, refilled)
    }
}
