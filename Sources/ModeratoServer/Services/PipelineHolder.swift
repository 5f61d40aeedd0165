import Moderation
import Synchronization

/// Holds the pipeline in force; a reload swaps in a whole new one atomically.
public final class PipelineHolder: Sendable {
    private let current: Mutex<Pipeline>

    public init(_ pipeline: Pipeline) {
        current = Mutex(pipeline)
    }

    /// The pipeline in force now.
    public var pipeline: Pipeline {
        current.withLock { $0 }
    }

    /// Replaces the pipeline.
    public func replace(with pipeline: Pipeline) {
        current.withLock { $0 = pipeline }
    }
}
