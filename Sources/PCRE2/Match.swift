/// Where a pattern matched, both as UTF-8 offsets and as a range of the subject string.
public struct Match: Sendable, Equatable {
    /// The matched range in UTF-8 code units from the start of the subject.
    public var utf8Range: Range<Int>
    /// The matched range as indices of the subject string.
    public var range: Range<String.Index>

    public init(utf8Range: Range<Int>, range: Range<String.Index>) {
        self.utf8Range = utf8Range
        self.range = range
    }
}
