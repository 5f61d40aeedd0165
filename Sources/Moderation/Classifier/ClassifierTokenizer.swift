/// A token the filter learns from: a normalized word, a pair of words, or a fact about the comment.
public struct ClassifierToken: Sendable, Hashable {
    public let text: String
    public let hash: UInt64

    public init(_ text: String) {
        self.text = text
        self.hash = FNV1a.hash(text)
    }

    /// Whether this is a fact about the comment rather than its words.
    public var isMeta: Bool { text.hasPrefix("meta:") }
}

/// Splits a comment into the tokens the filter uses: normalized words (so obfuscation does not hide
/// them), adjacent word pairs, and facts such as "has a link", the link's domain, shouting, a
/// first-time author and the comment's length.
public enum ClassifierTokenizer {
    public static func tokens(_ analysis: CommentAnalysis) -> [ClassifierToken] {
        var texts: Set<String> = []
        let words = analysis.words.filter { $0.utf8.count >= 2 && $0.utf8.count <= 48 }
        for word in words { texts.insert(String(word)) }
        if words.count >= 2 {
            for index in 0..<(words.count - 1) { texts.insert("\(words[index]) \(words[index + 1])") }
        }
        let links = analysis.links
        if !links.isEmpty {
            texts.insert("meta:has_link")
            for link in links.prefix(5) { texts.insert("meta:link_domain:\(link.host)") }
        }
        var letters = 0
        var capitals = 0
        for scalar in analysis.comment.body.unicodeScalars where scalar.isASCII {
            if scalar.value >= 0x41 && scalar.value <= 0x5A { letters += 1; capitals += 1 } else if scalar.value >= 0x61 && scalar.value <= 0x7A { letters += 1 }
        }
        if letters >= 20, capitals * 10 >= letters * 7 { texts.insert("meta:shouting") }
        if analysis.context.isNewAuthor { texts.insert("meta:author_new") }
        if words.isEmpty { texts.insert("meta:no_text") }
        // How long the comment is, in powers of two: one-word shouts and walls of text are told apart.
        texts.insert("meta:words:\(lengthBucket(words.count))")
        return texts.map(ClassifierToken.init)
    }

    /// 0, 1–3, 4–7, 8–15, 16–31 or 32 and more words.
    static func lengthBucket(_ count: Int) -> String {
        switch count {
        case 0: "0"
        case 1...3: "1-3"
        case 4...7: "4-7"
        case 8...15: "8-15"
        case 16...31: "16-31"
        default: "32+"
        }
    }
}
