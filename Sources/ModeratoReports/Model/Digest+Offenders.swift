import Foundation

extension Digest {
    /// An author, network or link domain and how many of its comments were rejected.
    public struct Offender: Sendable, Codable, Equatable {
        /// The author's name, the network (`203.0.113.0/24`) or the domain (`example.com`).
        public var value: String
        /// Its comments rejected in the period.
        public var rejected: Int

        /// An offender and its rejected comments.
        public init(value: String, rejected: Int) {
            self.value = value
            self.rejected = rejected
        }
    }
}
