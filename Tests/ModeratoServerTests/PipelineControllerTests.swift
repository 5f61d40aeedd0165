import Foundation
import Judging
import Moderation
import ModeratoTestSupport
import Testing

/// The live pipeline changes only through its controller: in-place updates never overwrite each other,
/// and a reload built before an update is refused (and built again) rather than undoing it.
@Suite struct PipelineControllerTests {
    @Test func aReloadBuiltBeforeAnUpdateIsRefused() throws {
        let rules = try Fixtures.shippedRuleSet()
        let ruleID = try #require(rules.rules.first { $0.mode == .active }?.id)
        let controller = PipelineController(Pipeline(ruleSet: rules))
        let generation = controller.generation
        // A reload starts building from the store's rule states...
        let reloaded = Pipeline(ruleSet: rules)
        // ...while the worker switches a rule to shadow.
        controller.update { $0.ruleSet = $0.ruleSet.withModes([ruleID: .shadow]) }
        #expect(!controller.replace(reloaded, ifGeneration: generation))
        #expect(controller.pipeline.ruleSet.rule(id: ruleID)?.mode == .shadow)
        // Built again (from the states that now include the switch), it is installed.
        let rebuilt = Pipeline(ruleSet: rules.withModes([ruleID: .shadow]))
        #expect(controller.replace(rebuilt, ifGeneration: controller.generation))
        #expect(controller.pipeline.ruleSet.rule(id: ruleID)?.mode == .shadow)
    }

    @Test func anUpdateAppliesToThePipelineInForce() throws {
        let rules = try Fixtures.shippedRuleSet()
        let ids = rules.rules.filter { $0.mode == .active }.prefix(2).map(\.id)
        let controller = PipelineController(Pipeline(ruleSet: rules))
        // A reload lands between the worker reading the pipeline and changing it: the change is made
        // on the reloaded pipeline, not on the copy the worker read.
        let stale = controller.pipeline
        #expect(controller.replace(Pipeline(ruleSet: rules.withModes([ids[0]: .shadow])), ifGeneration: controller.generation))
        controller.update { $0.ruleSet = $0.ruleSet.withModes([ids[1]: .shadow]) }
        #expect(controller.pipeline.ruleSet.rule(id: ids[0])?.mode == .shadow)
        #expect(controller.pipeline.ruleSet.rule(id: ids[1])?.mode == .shadow)
        #expect(stale.ruleSet.rule(id: ids[0])?.mode == .active)
    }

    @Test func theSiteLayerIsRefreshedOnlyForward() throws {
        var pipeline = Pipeline(ruleSet: try Fixtures.shippedRuleSet())
        pipeline.model = ModelJudge(model: try ModelFile.read(TestPaths.packageRoot.appendingPathComponent("Models/moderato.model").path))
        let controller = PipelineController(pipeline, classifierVersion: 5)
        var newer = ClassifierModel()
        newer.unwantedDocuments = 12
        controller.refreshSiteLayer(newer, version: 6)
        #expect(controller.pipeline.model?.siteLayer.counts.unwantedDocuments == 12)
        controller.refreshSiteLayer(ClassifierModel(), version: 4)
        #expect(controller.pipeline.model?.siteLayer.counts.unwantedDocuments == 12)
        #expect(controller.classifierVersion == 6)
    }
}
