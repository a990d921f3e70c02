import Foundation
import HTTPTypes
import Hummingbird

/// The optional shared secret (`--token-file`): where the socket's group is wider than the CMS, or on `--tcp`,
/// every request must carry `Authorization: Bearer TOKEN`; others get 401 `unauthorized` before any route runs.
struct AccessTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: AccessToken

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard token.admits(authorization: request.headers[.authorization]) else {
            throw APIError(.unauthorized, code: "unauthorized", message: "missing or wrong `Authorization: Bearer` token")
        }
        return try await next(request, context)
    }
}

/// A shared secret read from a file that only its owner may read.
public struct AccessToken: Sendable {
    let secret: [UInt8]

    /// Reads the first line of `path`.
    /// - Throws: `AccessTokenError` when the file cannot be read, is empty or shorter than 16 characters, or can be
    ///   read by other users (a secret anyone can read protects nothing).
    public init(file path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0, let data = FileManager.default.contents(atPath: path) else {
            throw AccessTokenError(path: path, reason: "cannot read the file")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw AccessTokenError(
                path: path, reason: "readable by group or others (mode \(String(status.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let secret = line.trimmingCharacters(in: .whitespaces)
        guard secret.utf8.count >= 16 else {
            throw AccessTokenError(path: path, reason: "the token must be at least 16 characters on the first line")
        }
        self.secret = Array(secret.utf8)
    }

    /// Whether an `Authorization` header value carries this token as `Bearer TOKEN`.
    func admits(authorization header: String?) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        return matches(header.dropFirst("Bearer ".count))
    }

    /// Compares in time independent of where the first difference is.
    func matches(_ candidate: Substring) -> Bool {
        let bytes = Array(candidate.utf8)
        var difference = UInt8(bytes.count == secret.count ? 0 : 1)
        for index in 0..<secret.count {
            difference |= secret[index] ^ (index < bytes.count ? bytes[index] : 0)
        }
        return difference == 0
    }
}

public struct AccessTokenError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "--token-file \(path): \(reason)" }
}

/// Requests whose header block or target is larger than a CMS ever sends answer 431 (headers) or 414 (target)
/// before any route runs. (Beyond the HTTP parser's own 80 KiB limit, the parser answers 400 and closes.)
struct RequestHeadLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxHeaderBytes: Int
    let maxTargetBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let target = request.head.path?.utf8.count ?? 0
        guard target <= maxTargetBytes else {
            throw APIError(.uriTooLong, code: "uri_too_long", message: "request target is over \(maxTargetBytes) bytes")
        }
        let total = request.headers.bytesAsSent
        guard total <= maxHeaderBytes else {
            throw APIError(
                .init(code: 431, reasonPhrase: "Request Header Fields Too Large"), code: "headers_too_large",
                message: "request headers are \(total) bytes, over the \(maxHeaderBytes)-byte limit")
        }
        return try await next(request, context)
    }
}

extension HTTPFields {
    /// The size of the header block as sent: each field's name and value with ": " and CRLF.
    var bytesAsSent: Int {
        var total = 0
        for field in self { total += field.name.rawName.utf8.count + field.value.utf8.count + 4 }
        return total
    }
}
