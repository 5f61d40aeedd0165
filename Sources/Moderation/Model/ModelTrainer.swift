import Foundation

/// How the model is trained. Recorded in the manifest; the defaults build the shipped model.
public struct TrainerSettings: Sendable, Equatable, Codable {
    /// Passes over the training data.
    public var epochs: Int = 6
    /// FTRL-Proximal's per-coordinate learning rate: α / (β + √Σg²).
    public var alpha: Double = 0.5
    public var beta: Double = 1
    /// L1 and L2 regularisation (L1 keeps the file small: most hashed slots stay exactly zero).
    public var l1: Double = 0.5
    public var l2: Double = 1
    /// The seed of the shuffle between passes.
    public var seed: UInt64 = 20_261_203

    public init() {}
}

/// One comment to learn from: its vector and, per output, 1 (unwanted), 0 (wanted) or nil (says nothing
/// about that output), with a weight.
public struct TrainingExample: Sendable {
    public var vector: FeatureVector
    public var labels: [Int8?]
    public var weight: Float

    public init(vector: FeatureVector, labels: [Int8?], weight: Float = 1) {
        self.vector = vector
        self.labels = labels
        self.weight = weight
    }
}

/// Trains the linear model: logistic loss, FTRL-Proximal (McMahan et al., 2013) with L1 and L2, one
/// output at a time, classes balanced (each class carries half the weight of an output's examples).
///
/// Deterministic: a fixed seed for the shuffle, one thread, the same order of floating-point
/// operations, so the same examples give the same model and the same file.
public enum ModelTrainer {
    public static func train(_ examples: [TrainingExample], outputs: [String], features: FeatureSettings,
                             settings: TrainerSettings, name: String,
                             progress: ((_ output: String, _ epoch: Int) -> Void)? = nil) -> ModerationModel {
        var trained: [ModelOutput] = []
        for (outputIndex, outputName) in outputs.enumerated() {
            progress?(outputName, 0)
            trained.append(trainOutput(examples, outputIndex, outputName, features, settings) { progress?(outputName, $0) })
        }
        return ModerationModel(features: features, outputs: trained, name: name)
    }

    static func trainOutput(_ examples: [TrainingExample], _ output: Int, _ name: String, _ features: FeatureSettings,
                            _ settings: TrainerSettings, _ epochDone: (Int) -> Void) -> ModelOutput {
        let labelled = examples.indices.filter { examples[$0].labels[output] != nil }
        var positive = 0.0
        var negative = 0.0
        for index in labelled {
            if examples[index].labels[output] == 1 { positive += Double(examples[index].weight) } else { negative += Double(examples[index].weight) }
        }
        let total = positive + negative
        let positiveWeight = positive > 0 ? total / (2 * positive) : 0
        let negativeWeight = negative > 0 ? total / (2 * negative) : 0
        let slots = 1 << features.hashBits
        // The bias is one more coordinate, without L1.
        var z = [Double](repeating: 0, count: slots + 1)
        var n = [Double](repeating: 0, count: slots + 1)
        let (alpha, beta, l1, l2) = (settings.alpha, settings.beta, settings.l1, settings.l2)
        @inline(__always) func weight(_ slot: Int, l1: Double) -> Double {
            let zi = z[slot]
            if abs(zi) <= l1 { return 0 }
            return -(zi - (zi < 0 ? -l1 : l1)) / ((beta + n[slot].squareRoot()) / alpha + l2)
        }
        var random = SplitMix64(seed: settings.seed &+ UInt64(output))
        var order = labelled
        var current: [Double] = []
        for epoch in 1...max(1, settings.epochs) {
            // Fisher–Yates with the seeded generator.
            if order.count > 1 {
                for i in stride(from: order.count - 1, to: 0, by: -1) {
                    let j = Int(random.next() % UInt64(i + 1))
                    order.swapAt(i, j)
                }
            }
            for index in order {
                let example = examples[index]
                let vector = example.vector
                current.removeAll(keepingCapacity: true)
                var logit = weight(slots, l1: 0)
                let biasWeight = logit
                for (position, slot) in vector.slots.enumerated() {
                    let w = weight(Int(slot), l1: l1)
                    current.append(w)
                    logit += w * Double(vector.values[position])
                }
                let p = 1 / (1 + exp(-max(-35, min(35, logit))))
                let y = Double(example.labels[output]!)
                let g = (p - y) * Double(example.weight) * (y == 1 ? positiveWeight : negativeWeight)
                for (position, slot) in vector.slots.enumerated() {
                    let gi = g * Double(vector.values[position])
                    update(Int(slot), gi, current[position])
                }
                update(slots, g, biasWeight)
            }
            epochDone(epoch)
        }
        @inline(__always) func update(_ slot: Int, _ gi: Double, _ w: Double) {
            let sigma = ((n[slot] + gi * gi).squareRoot() - n[slot].squareRoot()) / alpha
            z[slot] += gi - sigma * w
            n[slot] += gi * gi
        }
        var weights = [Float](repeating: 0, count: slots)
        for slot in 0..<slots { weights[slot] = Float(weight(slot, l1: l1)) }
        return ModelOutput(name: name, bias: Float(weight(slots, l1: 0)), weights: weights)
    }
}

/// A small, fast, seedable generator (SplitMix64), so training shuffles the same way everywhere.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
