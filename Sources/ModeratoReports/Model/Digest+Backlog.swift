import Foundation

extension Digest {
    /// The held comments that have waited for a range of time.
    public struct AgeBucket: Sendable, Codable, Equatable {
        /// The range, as a reader says it: `<1h`, `1–4h`, `4–12h`, `12–24h`, `>24h`.
        public var label: String
        /// Held comments in the range.
        public var count: Int

        /// A bucket of the backlog.
        public init(label: String, count: Int) {
            self.label = label
            self.count = count
        }
    }
}
