import Moderation
import Synchronization

/// Holds the pipeline in force; a reload swaps in a whole new one atomically.
public final class PipelineHolder: Sendable {
    private let current: Mutex<(pipeline: Pipeline, classifierVersion: Int)>

    public init(_ pipeline: Pipeline, classifierVersion: Int = 0) {
        current = Mutex((pipeline, classifierVersion))
    }

    /// The pipeline in force now.
    public var pipeline: Pipeline {
        current.withLock { $0.pipeline }
    }

    /// The version of the classifier model in the pipeline.
    public var classifierVersion: Int {
        current.withLock { $0.classifierVersion }
    }

    /// Replaces the pipeline (keeping the classifier version unless one is given).
    public func replace(with pipeline: Pipeline, classifierVersion: Int? = nil) {
        current.withLock { state in
            state.pipeline = pipeline
            if let classifierVersion { state.classifierVersion = classifierVersion }
        }
    }
}
