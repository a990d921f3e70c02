import Foundation
import Store

/// Validates the fields of one input record (from JSON, CSV or WXR) and builds the stored `Article`.
///
/// id and body are required; body may be HTML (converted to text); published_at must be an ISO-8601 date;
/// tags may be an array of strings or one comma-separated string.
enum ArticleFields {
    static let maximumIDLength = 256

    /// - Throws: a reason string naming the field.
    static func article(from fields: [String: Any]) throws(FieldError) -> Article {
        let id = try requiredString(fields, "id")
        guard id.count <= maximumIDLength else { throw FieldError("field 'id': longer than \(maximumIDLength) characters") }
        guard !id.contains(where: { $0.isNewline || $0 == "\u{0}" }) else {
            throw FieldError("field 'id': contains a line break or NUL")
        }
        let rawBody = try requiredString(fields, "body")
        let body = HTMLText.looksLikeHTML(rawBody) ? HTMLText.plainText(rawBody) : rawBody
        guard !isBlank(body) else {
            throw FieldError("field 'body': empty after removing markup")
        }
        let rawTitle = try optionalString(fields, "title") ?? ""
        let title = HTMLText.looksLikeHTML(rawTitle) ? HTMLText.plainText(rawTitle) : rawTitle
        var publishedAt: String? = nil
        if let date = try optionalString(fields, "published_at"), !date.isEmpty {
            guard let normalized = ISODate.normalized(date) else {
                throw FieldError("field 'published_at': '\(date.prefix(40))' is not an ISO-8601 date (e.g. 2024-05-01T10:00:00Z) between years 1000 and 9999")
            }
            publishedAt = normalized
        }
        return Article(
            id: id, title: title, body: body, category: try optionalString(fields, "category"),
            tags: try tags(fields["tags"]), url: try optionalString(fields, "url"), publishedAt: publishedAt)
    }

    static func requiredString(_ fields: [String: Any], _ name: String) throws(FieldError) -> String {
        guard let value = fields[name], !(value is NSNull) else { throw FieldError("missing required field '\(name)'") }
        guard let string = value as? String else { throw FieldError("field '\(name)': expected a string, got \(typeName(value))") }
        guard !isBlank(string) else {
            throw FieldError("field '\(name)': empty")
        }
        try checkNoNUL(string, name)
        return string
    }

    static func optionalString(_ fields: [String: Any], _ name: String) throws(FieldError) -> String? {
        guard let value = fields[name], !(value is NSNull) else { return nil }
        guard let string = value as? String else { throw FieldError("field '\(name)': expected a string, got \(typeName(value))") }
        try checkNoNUL(string, name)
        return string
    }

    /// NUL is no character of any text, and SQLite's C strings end at it: a stored body would come back cut there
    /// (and its content hash never match again). JSON can smuggle it in as `\u0000`, CSV and XML as a raw byte.
    static func checkNoNUL(_ string: String, _ name: String) throws(FieldError) {
        if string.utf8.contains(0) { throw FieldError("field '\(name)': contains a NUL character (U+0000)") }
    }

    static func tags(_ value: Any?) throws(FieldError) -> [String] {
        switch value {
        case nil, is NSNull: return []
        case let list as [Any]:
            var result = [String]()
            for item in list {
                guard let tag = item as? String else { throw FieldError("field 'tags': expected strings, got \(typeName(item))") }
                try checkNoNUL(tag, "tags")
                result.append(tag)
            }
            return result
        case let text as String:
            try checkNoNUL(text, "tags")
            return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        default:
            throw FieldError("field 'tags': expected an array of strings, got \(typeName(value!))")
        }
    }

    /// Whether a text holds nothing but white space. Stops at the first visible character, so an article body
    /// costs one or two scalars, not a scan (trimming copies the whole body).
    static func isBlank(_ text: String) -> Bool {
        !text.unicodeScalars.contains { !$0.properties.isWhitespace }
    }

    static func typeName(_ value: Any) -> String {
        switch value {
        case is String: return "a string"
        case is NSNumber: return "a number"
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        default: return "\(type(of: value))"
        }
    }
}

/// Why a field is invalid; becomes the `reason` of a `RecordError`.
struct FieldError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// The article validation rules of ingest, for other front ends (the socket server).
public enum ArticleValidation {
    public struct Problem: Error, Sendable {
        public let reason: String
    }

    /// The stored article for a decoded JSON object, or the reason (naming the field) it is invalid.
    public static func article(from fields: [String: Any]) -> Result<Article, Problem> {
        do {
            return .success(try ArticleFields.article(from: fields))
        } catch {
            return .failure(Problem(reason: error.reason))
        }
    }
}
