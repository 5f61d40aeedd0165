import Foundation

/// The recent past in memory: every comment of the last day, chained by its sources, its article's
/// rating and its text fingerprint bands, so the flood, duplicate and rating windows are answered
/// without an index in the database.
///
/// Each comment is kept once, as two fixed-size slots with no text: its sources, author and article are
/// kept as hashes (seeded per process), so nothing readable is held. A slot links back to the previous
/// slot with the same IP address, network, author, email, article and rating, and fingerprint band, so a
/// window question walks only the comments that share its key, newest first, and stops at the window's
/// start.
///
/// Comments are appended in order of arrival (their sequence). Receipt times normally grow with the
/// sequence; when they do not (a clock stepped back, or made-up history in a test), every answer is
/// still exact: a walk stops only once the latest time seen up to a slot is out of the window.
///
/// ```swift
/// var recent = RecentComments()
/// recent.reset(coveringSince: date.addingTimeInterval(-windows.longest))
/// recent.append(RecentComments.Entry(sequence: 1, receivedAt: date, author: "Ann", articleID: "news-1", rating: 5,
///                                    ip: "203.0.113.7", network: "203.0.113.0/24", email: nil,
///                                    fingerprint: fingerprint, authorIsNew: true))
/// var context = CommentContext()
/// recent.fill(&context, for: query, windows: windows)
/// ```
public struct RecentComments: Sendable {
    /// A comment as the windows need it.
    public struct Entry: Sendable {
        public var sequence: Int64
        public var receivedAt: Date
        public var author: String
        public var articleID: String
        public var rating: Int
        public var ip: String?
        public var network: String?
        public var email: String?
        public var fingerprint: TextFingerprint?
        public var authorIsNew: Bool

        public init(sequence: Int64, receivedAt: Date, author: String, articleID: String, rating: Int, ip: String?,
                    network: String?, email: String?, fingerprint: TextFingerprint?, authorIsNew: Bool) {
            self.sequence = sequence
            self.receivedAt = receivedAt
            self.author = author
            self.articleID = articleID
            self.rating = rating
            self.ip = ip
            self.network = network
            self.email = email
            self.fingerprint = fingerprint
            self.authorIsNew = authorIsNew
        }
    }

    /// The keys a slot is chained by, besides its fingerprint bands.
    private enum Chain: Int, CaseIterable {
        case ip, network, author, email, articleRating
    }

    /// How many slots back the previous one with the same key is, per chain (0: none).
    private struct Backs {
        private var values: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0)

        subscript(chain: Int) -> UInt32 {
            get {
                switch chain {
                case 0: values.0
                case 1: values.1
                case 2: values.2
                case 3: values.3
                default: values.4
                }
            }
            set {
                switch chain {
                case 0: values.0 = newValue
                case 1: values.1 = newValue
                case 2: values.2 = newValue
                case 3: values.3 = newValue
                default: values.4 = newValue
                }
            }
        }
    }

    /// A comment in the chains. What every step of a walk reads comes first, in one cache line.
    private struct Slot {
        var sequence: Int64
        var time: Double
        /// The latest receipt time of this slot and every slot before it.
        var latest: Double
        /// The way back along each `Chain`.
        var back = Backs()
        var author: UInt64
        var article: UInt64
        /// 0 without a network.
        var network: UInt64
        var authorIsNew: Bool

        init(sequence: Int64, time: Double, latest: Double, author: UInt64, article: UInt64, network: UInt64, authorIsNew: Bool) {
            self.sequence = sequence
            self.time = time
            self.latest = latest
            self.author = author
            self.article = article
            self.network = network
            self.authorIsNew = authorIsNew
        }
    }

    /// What a near-duplicate lookup reads at each step, apart from the rest so that a walk along a
    /// band touches one small record per comment: the fingerprint, and the way back along each band.
    /// Only comments with a fingerprint are in a band's chain.
    private struct BandSlot {
        var fingerprint: UInt64
        var latest: Double
        private var backs: (UInt32, UInt32, UInt32) = (0, 0, 0)

        init(fingerprint: UInt64, latest: Double) {
            self.fingerprint = fingerprint
            self.latest = latest
        }

        subscript(band: Int) -> UInt32 {
            get { band == 0 ? backs.0 : band == 1 ? backs.1 : backs.2 }
            set {
                switch band {
                case 0: backs.0 = newValue
                case 1: backs.1 = newValue
                default: backs.2 = newValue
                }
            }
        }
    }

    /// How many comments are kept at most. Past it the oldest are forgotten before their day is out,
    /// which shortens the windows; `isTruncated` says so.
    public let capacity: Int
    /// Slots from `dropped` on; slot `i` (absolute) is at `slots[i - dropped]`, and so is its band slot.
    private var slots: [Slot] = []
    private var bandSlots: [BandSlot] = []
    private var dropped = 0
    /// The first slot still kept (absolute).
    private var first = 0
    /// The newest slot for each hashed key of the chains.
    private var heads: [UInt64: Int] = [:]
    /// The newest slot for each tagged band value.
    private var bandHeads: [UInt32: Int] = [:]
    private let seed = Int.random(in: .min ... .max)

    /// The sequence of the newest comment appended.
    public private(set) var lastSequence: Int64?
    /// Every comment received after this time (and up to `lastSequence`) is kept, unless `isTruncated`.
    public private(set) var coveredSince: Date?
    /// Whether comments inside the windows had to be forgotten to stay within `capacity`.
    public private(set) var isTruncated = false

    /// The default capacity: at about 130 bytes a comment (slots and chain heads), 500,000 comments
    /// (a day at almost 6 a second) take about 65 MB.
    public static let defaultCapacity = 500_000

    public init(capacity: Int = RecentComments.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// How many comments are kept.
    public var count: Int { slots.count - (first - dropped) }

    /// Forgets everything; from now on the comments received after `date` are to be appended.
    /// - Parameter isTruncated: Whether some of them are left out (there were more than `capacity`).
    public mutating func reset(coveringSince date: Date, isTruncated: Bool = false) {
        slots.removeAll()
        bandSlots.removeAll()
        heads.removeAll()
        bandHeads.removeAll()
        dropped = 0
        first = 0
        lastSequence = nil
        self.isTruncated = isTruncated
        coveredSince = date
    }

    /// Adds the next comment in order of arrival; a comment at or before `lastSequence` is ignored.
    public mutating func append(_ entry: Entry) {
        if let lastSequence, entry.sequence <= lastSequence { return }
        if count >= capacity {
            drop(1)
            isTruncated = true
        }
        let index = dropped + slots.count
        let time = entry.receivedAt.timeIntervalSinceReferenceDate
        let latest = max(time, slots.last?.latest ?? -.infinity)
        let author = hash(.author, entry.author)
        let network = entry.network.map { hash(.network, $0) }
        var slot = Slot(sequence: entry.sequence, time: time, latest: latest, author: author, article: hash(.author, entry.articleID),
                        network: network ?? 0, authorIsNew: entry.authorIsNew)
        // A missing value (no IP, no email) is in no chain: it is never looked up.
        let keys = [entry.ip.map { hash(.ip, $0) }, network, author, entry.email.map { hash(.email, $0) },
                    hash(.articleRating, entry.articleID, rating: entry.rating)]
        for (chain, key) in keys.enumerated() {
            guard let key else { continue }
            // The previous head is read into a local first: passing the mutation as an argument to a
            // method of `self` would copy the whole table.
            let previous = heads.updateValue(index, forKey: key)
            slot.back[chain] = link(from: index, to: previous)
        }
        slots.append(slot)
        var bandSlot = BandSlot(fingerprint: entry.fingerprint?.value ?? 0, latest: latest)
        if let fingerprint = entry.fingerprint {
            for (band, value) in fingerprint.bands.enumerated() {
                let previous = bandHeads.updateValue(index, forKey: value)
                bandSlot[band] = link(from: index, to: previous)
            }
        }
        bandSlots.append(bandSlot)
        lastSequence = entry.sequence
    }

    /// Forgets the comments received at or before `date` (and any before them in order of arrival).
    public mutating func forget(receivedUpTo date: Date) {
        let cutoff = date.timeIntervalSinceReferenceDate
        var n = 0
        while first + n < dropped + slots.count, slots[first + n - dropped].latest <= cutoff { n += 1 }
        drop(n)
        if coveredSince.map({ $0 < date }) ?? true { coveredSince = date }
    }

    /// Whether a query's windows are all kept: its oldest window starts at or after `coveredSince`.
    public func covers(_ query: HistoryQuery, windows: HistoryWindows) -> Bool {
        guard let coveredSince else { return false }
        return query.receivedAt.addingTimeInterval(-windows.longest) >= coveredSince
    }

    /// Fills the flood, duplicate and rating parts of a comment's context.
    ///
    /// Each part looks at the comments received before it, or at the same instant and earlier in order
    /// of arrival; floods and rating bursts count the comment itself too, duplicates do not. Counts
    /// stop at `cap`, past which no heuristic's answer changes.
    public func fill(_ context: inout CommentContext, for query: HistoryQuery, windows: HistoryWindows, cap: Int = 50) {
        let comment = query.comment
        let now = query.receivedAt.timeIntervalSinceReferenceDate
        let floodStart = now - windows.flood
        func flood(_ chain: Chain, _ value: String?) -> Int {
            guard let value else { return 0 }
            var n = 0
            walk(from: heads[hash(chain, value)], chain: chain.rawValue, since: floodStart) { slot in
                if slot.time > floodStart, slot.time <= now, slot.time < now || slot.sequence <= query.sequence { n += 1 }
                return n < cap
            }
            return n
        }
        context.flood.sameIP = flood(.ip, comment.ip)
        context.flood.sameNetwork = flood(.network, query.network)
        context.flood.sameAuthor = flood(.author, comment.author)
        context.flood.sameEmail = flood(.email, comment.email)

        if let fingerprint = query.fingerprint {
            let since = now - windows.duplicates
            let author = hash(.author, comment.author)
            let article = hash(.author, comment.articleID)
            var seen: Set<Int> = []
            var otherAuthors: Set<UInt64> = []
            var otherArticles: Set<UInt64> = []
            var sameAuthor = 0
            var steps = 0
            probes: for probe in fingerprint.bandProbes {
                guard var index = bandHeads[probe] else { continue }
                let band = Int(probe >> 24)
                // Chance collisions are rare (a band has 21 bits or more); the step limit bounds a
                // lookup even for a text posted thousands of times.
                while index >= first, steps < Self.maximumBandSteps {
                    steps += 1
                    let position = index - dropped
                    let bandSlot = bandSlots[position]
                    if bandSlot.latest <= since { break }
                    if TextFingerprint(value: bandSlot.fingerprint).distance(to: fingerprint) <= TextFingerprint.nearDuplicateDistance {
                        let slot = slots[position]
                        if slot.time > since, slot.time <= now, slot.time < now || slot.sequence < query.sequence,
                           seen.insert(index).inserted {
                            if slot.author == author {
                                sameAuthor += 1
                                if slot.article != article { otherArticles.insert(slot.article) }
                            } else {
                                otherAuthors.insert(slot.author)
                            }
                            if otherAuthors.count >= cap || sameAuthor >= cap { break probes }
                        }
                    }
                    let back = bandSlot[band]
                    if back == 0 { break }
                    index -= Int(back)
                }
            }
            context.duplicates.otherAuthors = otherAuthors.count
            context.duplicates.otherArticles = otherArticles.count
            context.duplicates.sameAuthor = sameAuthor
        }

        if comment.rating == 1 || comment.rating == 5 {
            let since = now - windows.ratings
            let network = query.network.map { hash(.network, $0) }
            var ratings = CommentContext.RatingBurst()
            walk(from: heads[hash(.articleRating, comment.articleID, rating: comment.rating)],
                 chain: Chain.articleRating.rawValue, since: since) { slot in
                if slot.time > since, slot.time <= now, slot.time < now || slot.sequence <= query.sequence {
                    ratings.sameExtremeRating += 1
                    if slot.authorIsNew { ratings.fromNewAuthors += 1 }
                    if let network, slot.network == network { ratings.fromSameNetwork += 1 }
                }
                return ratings.sameExtremeRating < Self.ratingSample
            }
            context.ratings = ratings
        }
    }

    /// The most comments a band lookup visits.
    static let maximumBandSteps = 4_096
    /// The article's most recent extreme ratings looked at: enough for a burst (10) and its make-up.
    static let ratingSample = 40

    // MARK: Chains

    /// A value's key in a chain (an article's with its rating). Slots keep authors and articles as
    /// their `author` hashes, which only need to tell them apart.
    private func hash(_ chain: Chain, _ value: String, rating: Int = 0) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(seed)
        hasher.combine(chain.rawValue)
        hasher.combine(value)
        hasher.combine(rating)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    private func link(from index: Int, to previous: Int?) -> UInt32 {
        guard let previous, previous >= first, index - previous <= Int(UInt32.max) else { return 0 }
        return UInt32(index - previous)
    }

    /// Visits a chain newest first while `visit` returns true, until the slots are all older than `since`.
    private func walk(from head: Int?, chain: Int, since: Double, _ visit: (Slot) -> Bool) {
        guard var index = head else { return }
        while index >= first {
            let position = index - dropped
            let slot = slots[position]
            if slot.latest <= since || !visit(slot) { return }
            let back = slot.back[chain]
            if back == 0 { return }
            index -= Int(back)
        }
    }

    private mutating func drop(_ n: Int) {
        guard n > 0 else { return }
        first += n
        // Compacting once a quarter of the arrays is forgotten keeps them within a third of what is
        // kept, at an amortized copy of a few slots per comment.
        if first - dropped > 4_096, first - dropped > slots.count / 4 {
            let gone = first - dropped
            slots.removeFirst(gone)
            bandSlots.removeFirst(gone)
            dropped = first
            // Heads of forgotten slots lead nowhere (a walk starts only at a kept slot); clearing them
            // here keeps the table to the keys still in the window, at no cost per comment.
            heads = heads.filter { $0.value >= first }
            bandHeads = bandHeads.filter { $0.value >= first }
        }
    }
}
