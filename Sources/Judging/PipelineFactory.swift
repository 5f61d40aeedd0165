import Foundation
import Moderation
import ModerationStore

/// Why a pipeline could not be made, in words for the operator.
public struct JudgingError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What a pipeline is made of: rule folders, heuristics, thresholds, the model and the site's layer.
public struct JudgingConfiguration: Sendable {
    /// Rule folders in load order.
    public var ruleDirectories: [String] = ["Rules"]
    public var heuristics: HeuristicsConfiguration = HeuristicsConfiguration()
    public var policy: PolicyConfiguration = PolicyConfiguration()
    /// The model's file and score mapping (`model.file` nil: the shipped model).
    public var model: ModelConfiguration = ModelConfiguration()
    /// Judge without the model (rules and heuristics only).
    public var usesModel: Bool = true
    public var classifier: ClassifierConfiguration = ClassifierConfiguration()

    public init() {}
}

/// The one way a pipeline is made, for every caller: the daemon (HTTP, spool and Akismet), `modctl
/// eval`, `rules test`, `rules backtest` and `bench` all judge with the same rules, heuristics,
/// thresholds and model; with a store, also with the rule modes it recorded (rules switched to shadow)
/// and the site's learning layer, as the daemon does.
///
/// ```swift
/// let factory = PipelineFactory(configuration)
/// let pipeline = try await factory.make(store: database)
/// ```
public struct PipelineFactory: Sendable {
    public var configuration: JudgingConfiguration

    public init(_ configuration: JudgingConfiguration) {
        self.configuration = configuration
    }

    /// The model file in use: `model.file`, else the shipped one.
    public var modelPath: String { configuration.model.file ?? ModelLocation.defaultPath() }

    /// Loads the rule folders.
    /// - Throws: ``JudgingError`` listing every problem.
    public func loadRules() throws(JudgingError) -> RuleSet {
        do {
            return try RuleLoader().load(directories: configuration.ruleDirectories.map { URL(fileURLWithPath: $0) })
        } catch {
            throw JudgingError("the rule packs have errors:\n" + error.description)
        }
    }

    /// Reads and checks the model file; nil when judging without the model.
    /// - Throws: ``JudgingError`` naming the file and what is wrong with it.
    public func loadModel() throws(JudgingError) -> ModerationModel? {
        guard configuration.usesModel else { return nil }
        do {
            return try ModelFile.read(modelPath)
        } catch {
            throw JudgingError(error.description)
        }
    }

    /// A pipeline over loaded parts. With a store, the rule modes it recorded and its learning layer apply.
    public func make(ruleSet: RuleSet, model: ModerationModel?, store: (any CommentStore)?) async throws -> Pipeline {
        var ruleSet = ruleSet
        var siteLayer = SiteLayer(configuration: configuration.classifier)
        if let store {
            let modes = try await store.ruleStates().mapValues(\.mode).filter { ruleSet.rule(id: $0.key) != nil }
            ruleSet = ruleSet.withModes(modes)
            if model != nil { siteLayer.counts = try await store.classifierModel().model }
        }
        return Pipeline(ruleSet: ruleSet, heuristics: configuration.heuristics.makeHeuristics(),
                        policy: Policy(configuration: configuration.policy),
                        model: model.map { ModelJudge(model: $0, configuration: configuration.model, policy: configuration.policy,
                                                      siteLayer: siteLayer) })
    }

    /// Loads the rules and the model and makes a pipeline (see ``make(ruleSet:model:store:)``).
    public func make(store: (any CommentStore)?) async throws -> Pipeline {
        try await make(ruleSet: loadRules(), model: loadModel(), store: store)
    }
}
