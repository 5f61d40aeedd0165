/// Wakes the queue worker when new comments are committed. Notifications coalesce: many commits
/// while the worker is busy cause one more pass, not one per comment.
public final class QueueNotifier: Sendable {
    let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Tells the worker there is work.
    public func notify() {
        continuation.yield()
    }

    func finish() {
        continuation.finish()
    }
}
