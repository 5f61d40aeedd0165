/// Text prepared for matching, with a map from every normalized byte back to the reader's original text.
///
/// Rules match the normalized text; spans are reported in the original. For normalized UTF-8 bytes
/// `a..<b`, the original range is `originalStart[a]..<originalEnd[b - 1]`.
public struct NormalizedText: Sendable {
    /// The normalized text.
    public let text: String
    /// For each UTF-8 byte of `text`, where the original character that produced it starts and ends.
    /// When the normalized text is all ASCII, byte `i` came from `units[i]` and no per-byte copy is made.
    let units: [TextNormalizer.Unit]
    let originalStart: [Int32]
    let originalEnd: [Int32]

    init(text: String, units: [TextNormalizer.Unit], originalStart: [Int32] = [], originalEnd: [Int32] = []) {
        self.text = text
        self.units = units
        self.originalStart = originalStart
        self.originalEnd = originalEnd
    }

    /// The original UTF-8 range for a range of the normalized text.
    public func originalRange(of normalized: Range<Int>) -> Range<Int> {
        if originalStart.isEmpty {
            guard !units.isEmpty else { return 0..<0 }
            let lower = min(normalized.lowerBound, units.count - 1)
            if normalized.isEmpty { return Int(units[lower].start)..<Int(units[lower].start) }
            let upper = min(normalized.upperBound, units.count) - 1
            return Int(units[lower].start)..<Int(units[upper].end)
        }
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
