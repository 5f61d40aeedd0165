import Hummingbird

/// Reads request bodies with a size limit and a deadline.
enum BodyReader {
    /// The body, at most `limit` bytes, as long as it keeps arriving within `deadline` of the start.
    ///
    /// The idle timeout closes a connection only after a silence, so a client could trickle a body a
    /// byte at a time and hold its connection (and a place under `max_connections`) for ever. The
    /// deadline is checked as each piece arrives (no timer per request), so such a client is cut off
    /// at the first piece after the deadline, or by the idle timeout if it falls silent.
    /// - Throws: 413 past the limit (before reading anything when `Content-Length` announces it); 408
    ///   past the deadline.
    static func collect(_ request: Request, upTo limit: Int, within deadline: Duration) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw tooLarge(limit)
        }
        let start = ContinuousClock.now
        var collected = ByteBuffer()
        for try await var piece in request.body {
            guard collected.readableBytes + piece.readableBytes <= limit else { throw tooLarge(limit) }
            collected.writeBuffer(&piece)
            guard ContinuousClock.now - start <= deadline else {
                throw APIError(.requestTimeout, code: "timeout", message: "The request body did not arrive in time.")
            }
        }
        return collected
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "too_large", message: "The request body is larger than \(limit) bytes.")
    }
}
