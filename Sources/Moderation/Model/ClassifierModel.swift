/// How often a token appeared in unwanted and wanted comments the filter learned from.
public struct TokenCounts: Sendable, Equatable {
    public var unwanted: Int32
    public var wanted: Int32

    public init(unwanted: Int32 = 0, wanted: Int32 = 0) {
        self.unwanted = unwanted
        self.wanted = wanted
    }
}

/// What the site taught the learning layer (``SiteLayer``): how many comments of each kind it learned from, and per token,
/// how many of each contained it. Tokens are kept as 64-bit hashes.
public struct ClassifierModel: Sendable, Equatable {
    public var unwantedDocuments: Int
    public var wantedDocuments: Int
    public var tokens: [UInt64: TokenCounts]

    public init(unwantedDocuments: Int = 0, wantedDocuments: Int = 0, tokens: [UInt64: TokenCounts] = [:]) {
        self.unwantedDocuments = unwantedDocuments
        self.wantedDocuments = wantedDocuments
        self.tokens = tokens
    }

    /// Learns (or, with `forget`, unlearns) one comment's tokens.
    public mutating func train(_ tokenHashes: some Sequence<UInt64>, unwanted: Bool, forget: Bool = false) {
        let delta: Int32 = forget ? -1 : 1
        if unwanted { unwantedDocuments += Int(delta) } else { wantedDocuments += Int(delta) }
        unwantedDocuments = max(0, unwantedDocuments)
        wantedDocuments = max(0, wantedDocuments)
        for hash in tokenHashes {
            var counts = tokens[hash] ?? TokenCounts()
            if unwanted { counts.unwanted = max(0, counts.unwanted + delta) } else { counts.wanted = max(0, counts.wanted + delta) }
            tokens[hash] = counts.unwanted == 0 && counts.wanted == 0 ? nil : counts
        }
    }
}
