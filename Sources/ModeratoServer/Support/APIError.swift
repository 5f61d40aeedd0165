import Foundation
import Hummingbird
import Moderation

/// An error answered to a client as `{"error": {"code": ..., "message": ..., "field": ...}}`.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var field: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    init(_ error: CommentValidationError) {
        let status: HTTPResponse.Status = error.code == .tooLarge ? .contentTooLarge : .badRequest
        self.init(status, code: error.code.rawValue, message: error.message, field: error.field)
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var field: String?
        }
        var error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONResponse.make(status, Body(error: .init(code: code, message: message, field: field)))
        response.headers.append(contentsOf: headers)
        return response
    }
}

/// JSON responses with snake_case keys written by the types themselves and ISO 8601 times.
enum JSONResponse {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func make(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        let data = try encoder().encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
