/// Text prepared for matching, with a map from every normalized byte back to the reader's original text.
///
/// Rules match the normalized text; spans are reported in the original. For normalized UTF-8 bytes
/// `a..<b`, the original range is `originalStart[a]..<originalEnd[b - 1]`.
public struct NormalizedText: Sendable {
    /// The normalized text.
    public let text: String
    /// For each UTF-8 byte of `text`, where the original character that produced it starts.
    let originalStart: [Int32]
    /// For each UTF-8 byte of `text`, where the original character that produced it ends.
    let originalEnd: [Int32]

    init(text: String, originalStart: [Int32], originalEnd: [Int32]) {
        self.text = text
        self.originalStart = originalStart
        self.originalEnd = originalEnd
    }

    /// Text that needed no changes maps to itself.
    init(identity text: String) {
        self.text = text
        let count = text.utf8.count
        originalStart = (0..<Int32(count)).map { $0 }
        originalEnd = (1...Int32(max(count, 1))).prefix(count).map { $0 }
    }

    /// The original UTF-8 range for a range of the normalized text.
    public func originalRange(of normalized: Range<Int>) -> Range<Int> {
        guard !originalStart.isEmpty else { return 0..<0 }
        let lower = min(normalized.lowerBound, originalStart.count - 1)
        if normalized.isEmpty {
            let start = Int(originalStart[lower])
            return start..<start
        }
        let upper = min(normalized.upperBound, originalEnd.count) - 1
        return Int(originalStart[lower])..<Int(originalEnd[upper])
    }
}
