import Foundation

/// One concern the model scores (`toxicity`, `spam`): a bias and a weight per feature slot.
public struct ModelOutput: Sendable, Equatable {
    public var name: String
    public var bias: Float
    /// One weight per slot (`1 << hashBits`), zero where the feature said nothing.
    public var weights: [Float]

    public init(name: String, bias: Float, weights: [Float]) {
        self.name = name
        self.bias = bias
        self.weights = weights
    }

    /// The log-odds for a vector.
    @inline(__always)
    public func logit(_ vector: FeatureVector) -> Float {
        var sum = bias
        vector.slots.withUnsafeBufferPointer { slots in
            vector.values.withUnsafeBufferPointer { values in
                weights.withUnsafeBufferPointer { weights in
                    for index in 0..<slots.count { sum += weights[Int(slots[index])] * values[index] }
                }
            }
        }
        return sum
    }

    /// How many slots carry a weight.
    public var nonZeroWeights: Int { weights.reduce(0) { $0 + ($1 == 0 ? 0 : 1) } }
}

/// The shipped discriminative model: logistic regression over hashed features of the normalized text,
/// one output per concern. Read from a model file (`ModelFile`); immutable once loaded.
public struct ModerationModel: Sendable {
    public var features: FeatureSettings
    public var outputs: [ModelOutput]
    /// A short name, such as `news-2026.12`.
    public var name: String
    /// The SHA-256 of the whole model file it was read from (hexadecimal, as `sha256sum` prints it), empty for a model not yet written.
    public var sha256: String

    public init(features: FeatureSettings, outputs: [ModelOutput], name: String, sha256: String = "") {
        self.features = features
        self.outputs = outputs
        self.name = name
        self.sha256 = sha256
    }

    public func output(named name: String) -> ModelOutput? {
        outputs.first { $0.name == name }
    }

    public static func sigmoid(_ logit: Float) -> Float {
        1 / (1 + exp(-logit))
    }

    public static func logit(_ probability: Double) -> Double {
        let p = min(max(probability, 1e-9), 1 - 1e-9)
        return log(p / (1 - p))
    }

    /// The model's vector for an analysed comment. `rating` is the comment's star rating, or nil where
    /// there is none (training files have no ratings).
    public func vector(_ analysis: CommentAnalysis, rating: Int?) -> FeatureVector {
        ModelFeatures.vector(words: analysis.modelWords, body: analysis.comment.body, links: analysis.links.count,
                             rating: rating, settings: features)
    }
}
