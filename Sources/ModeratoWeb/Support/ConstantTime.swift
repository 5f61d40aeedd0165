/// Secrets compared without an early exit, so the time taken does not reveal how much of a guess was
/// right: the API token, Akismet keys, the review queue's CSRF tokens.
package enum ConstantTime {
    /// True when both are equal and not empty.
    package static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        let x = Array(a), y = Array(b)
        var difference = x.count ^ y.count
        for index in 0..<max(x.count, y.count) {
            let left = index < x.count ? x[index] : 0
            let right = index < y.count ? y[index] : 0
            difference |= Int(left ^ right)
        }
        return difference == 0 && !y.isEmpty
    }
}
