import Foundation
import Judging
import Logging
import Moderation
import ModerationStore
import ServiceLifecycle
import UnixSignals

/// Loads rule packs into the pipeline in force: at start, on SIGHUP (which `modctl rules reload`
/// sends), and when the traffic check switches a rule to shadow.
///
/// A reload with any error is refused: the errors are logged and recorded for `modctl`, and the old
/// rules stay active.
public struct RuleReloader: Service {
    let daemon: ModeratoDaemon
    let database: any CommentStore
    let pipelines: PipelineController
    let logger: Logger

    public func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            await reload()
        }
    }

    /// Re-reads every pack; swaps the pipeline only if all of them load. If the pipeline in force
    /// changed while the new one was being made (a rule switched to shadow), it is made again from
    /// what the store now says, so the reload never undoes that change.
    func reload() async {
        let now = Date()
        do {
            var pipeline: Pipeline
            repeat {
                let generation = pipelines.generation
                let version = try await database.classifierVersion()
                pipeline = try await daemon.pipelineFactory.make(store: database)
                if pipelines.replace(pipeline, ifGeneration: generation, classifierVersion: version) { break }
            } while true
            logger.info("rules reloaded", metadata: ["rules.count": "\(pipeline.ruleSet.rules.count)", "rules.version": "\(pipeline.ruleSet.version)"])
            try? await database.setDaemonStatus(["rules_version": pipeline.ruleSet.version, "rules_errors": "",
                                                 "rules_reload": "ok", "rules_reloaded_at": ISO8601DateFormatter().string(from: now),
                                                 "rules_reload_id": UUID().uuidString])
        } catch {
            logger.error("rule reload refused; the previous rules stay active", metadata: ["errors": "\(error)"])
            try? await database.setDaemonStatus(["rules_errors": "\(error)", "rules_reload": "refused",
                                                 "rules_reloaded_at": ISO8601DateFormatter().string(from: now),
                                                 "rules_reload_id": UUID().uuidString])
        }
    }
}

extension RuleReloader: CustomStringConvertible {
    public var description: String { "RuleReloader" }
}
