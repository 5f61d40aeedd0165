/// Notices comments written mostly in capital letters.
public struct ShoutingHeuristic: Heuristic {
    /// Settings for shouting.
    public struct Configuration: Sendable, Equatable {
        /// Fewer letters than this never count as shouting ("OK", "BBC NEWS"). The default is 20.
        public var minimumLetters: Int = 20
        /// The share of capitals, among letters, that counts as shouting. The default is 0.7.
        public var capitalsRatio: Double = 0.7
        /// The score it adds. The default is 2.
        public var score: Double = 2
        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public func evaluate(_ analysis: CommentAnalysis) -> [Signal] {
        var letters = 0
        var capitals = 0
        for scalar in analysis.comment.body.unicodeScalars {
            if scalar.isASCII {
                let value = scalar.value
                if value >= 0x41 && value <= 0x5A {
                    letters += 1
                    capitals += 1
                } else if value >= 0x61 && value <= 0x7A {
                    letters += 1
                }
            } else if scalar.properties.isAlphabetic {
                letters += 1
                if scalar.properties.isUppercase { capitals += 1 }
            }
        }
        guard letters >= configuration.minimumLetters else { return [] }
        let ratio = Double(capitals) / Double(letters)
        guard ratio >= configuration.capitalsRatio else { return [] }
        let percent = Int((ratio * 100).rounded())
        return [Signal(source: .heuristic, name: "shape.shouting", score: configuration.score,
                       explanation: "Written in capitals (\(percent)% of \(letters) letters), which reads as shouting")]
    }
}
