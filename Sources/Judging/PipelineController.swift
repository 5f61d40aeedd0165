import Moderation
import Synchronization

/// The pipeline in force in a daemon, and the one owner of every change to it.
///
/// Readers take the current pipeline (a value) and judge with it. Changes are of two kinds:
/// - ``update(_:)`` changes the pipeline in force in place (a rule switched to shadow, the site's
///   learning layer refreshed), under the lock, so two updates never overwrite each other;
/// - ``replace(_:ifGeneration:)`` installs a whole new pipeline (a reload) only if nothing changed
///   since the caller read ``generation`` before building it; otherwise the caller builds again from
///   what the store now says, so a reload never undoes an automatic change made while it was loading.
public final class PipelineController: Sendable {
    private struct State {
        var pipeline: Pipeline
        var generation: Int
        var classifierVersion: Int
    }

    private let state: Mutex<State>

    public init(_ pipeline: Pipeline, classifierVersion: Int = 0) {
        state = Mutex(State(pipeline: pipeline, generation: 0, classifierVersion: classifierVersion))
    }

    /// The pipeline in force now.
    public var pipeline: Pipeline {
        state.withLock { $0.pipeline }
    }

    /// Changes on every update or replacement.
    public var generation: Int {
        state.withLock { $0.generation }
    }

    /// The version of the site's learning layer in the pipeline.
    public var classifierVersion: Int {
        state.withLock { $0.classifierVersion }
    }

    /// Changes the pipeline in force in place, atomically.
    public func update(_ change: (inout Pipeline) -> Void) {
        state.withLock { state in
            change(&state.pipeline)
            state.generation += 1
        }
    }

    /// Refreshes the site's learning layer, unless the pipeline already has this version or a newer one.
    /// (Not a change a reload must wait for: see the body.)
    public func refreshSiteLayer(_ counts: ClassifierModel, version: Int) {
        state.withLock { state in
            guard version > state.classifierVersion, state.pipeline.model != nil else { return }
            state.pipeline.model?.siteLayer.counts = counts
            state.classifierVersion = version
            // No new generation: a reload made meanwhile carries the counts it read and their version,
            // and the next refresh brings it up to date, so frequent learning never starves a reload.
        }
    }

    /// Installs a new pipeline if the generation is still the one read before building it.
    /// - Returns: Whether it was installed; if not, build again and retry.
    public func replace(_ pipeline: Pipeline, ifGeneration expected: Int, classifierVersion: Int? = nil) -> Bool {
        state.withLock { state in
            guard state.generation == expected else { return false }
            state.pipeline = pipeline
            state.generation += 1
            if let classifierVersion { state.classifierVersion = classifierVersion }
            return true
        }
    }
}
