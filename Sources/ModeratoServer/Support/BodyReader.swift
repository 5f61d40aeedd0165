import Hummingbird

/// Reads request bodies with a size limit and a deadline.
enum BodyReader {
    /// The body, at most `limit` bytes, if it arrives within `deadline`.
    ///
    /// The idle timeout closes a connection only after a silence, so a client could trickle a body a
    /// byte at a time and hold its connection (and a place under `max_connections`) for ever; the
    /// deadline bounds the whole body instead.
    /// - Throws: 408 when the deadline passes; what `collect(upTo:)` throws for an oversized body.
    static func collect(_ request: Request, upTo limit: Int, within deadline: Duration) async throws -> ByteBuffer {
        let body = request.body
        return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: limit) }
            group.addTask {
                try await Task.sleep(for: deadline)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let buffer = first else {
                throw APIError(.requestTimeout, code: "timeout", message: "The request body did not arrive in time.")
            }
            return buffer
        }
    }
}
