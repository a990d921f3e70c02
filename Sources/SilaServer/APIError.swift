import Foundation
import Hummingbird

/// An error answer of the socket API: `{"error": {"code": "...", "message": "..."}}` with its HTTP status.
/// The codes are stable; clients may switch on them.
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String

    public init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.make(status: status, ErrorBody(error: .init(code: code, message: message)))
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, code: "bad_request", message: message) }
    static func invalidArticle(_ message: String) -> APIError {
        APIError(.unprocessableContent, code: "invalid_article", message: message)
    }
    static func notFound(_ what: String) -> APIError { APIError(.notFound, code: "not_found", message: what) }
    static let tooLarge = APIError(.contentTooLarge, code: "body_too_large", message: "request body is over the 2 MiB limit")
    static let noModel = APIError(
        .serviceUnavailable, code: "no_index", message: "the database has no model yet: run `sila index` (or POST /v1/recompute)")
}

struct ErrorBody: Encodable {
    struct Detail: Encodable {
        let code: String
        let message: String
    }
    let error: Detail
}

/// JSON responses with a stable key order.
enum JSONResponse {
    static func make(status: HTTPResponse.Status = .ok, _ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":{"code":"internal","message":"encoding failed"}}"#.utf8)
        var buffer = ByteBuffer()
        buffer.writeBytes(data)
        buffer.writeString("\n")
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: buffer))
    }
}

/// Turns every error a route throws into the JSON error shape (Hummingbird's own 404/405 included).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let code = error.status == .notFound ? "not_found" : error.status == .contentTooLarge ? "body_too_large" : "http_\(error.status.code)"
            return JSONResponse.make(
                status: error.status,
                ErrorBody(error: .init(code: code, message: error.body ?? error.status.reasonPhrase)))
        } catch let error as HTTPResponseError {
            return JSONResponse.make(status: error.status, ErrorBody(error: .init(code: "http_\(error.status.code)", message: "\(error)")))
        } catch {
            context.logger.error("internal error", metadata: ["error": "\(error)"])
            return JSONResponse.make(
                status: .internalServerError, ErrorBody(error: .init(code: "internal", message: "internal error: \(error)")))
        }
    }
}
