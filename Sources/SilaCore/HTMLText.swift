import Foundation

/// Turns an HTML fragment (a WordPress post body, a CMS field) into plain text: tags removed, `script` and
/// `style` contents dropped, block-level tags become line breaks, character entities decoded.
///
/// A small purpose-built scanner, not a full HTML parser: it never fetches anything and never expands entities
/// other than HTML's own, so hostile markup costs linear time and nothing else.
public enum HTMLText {
    /// Whether `text` looks like it holds markup or entities worth converting.
    public static func looksLikeHTML(_ text: String) -> Bool {
        text.utf8.contains(UInt8(ascii: "<")) || text.utf8.contains(UInt8(ascii: "&"))
    }

    public static func plainText(_ html: String) -> String {
        var output = ""
        output.reserveCapacity(html.utf8.count)
        var index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            if character == "<", let close = html[index...].firstIndex(of: ">") {
                let inside = html[html.index(after: index)..<close]
                let name = tagName(inside)
                if name == "script" || name == "style", !inside.hasPrefix("/") {
                    // Skip to the matching end tag (or the end of the text).
                    let endTag = "</\(name)"
                    if let end = html.range(of: endTag, options: .caseInsensitive, range: close..<html.endIndex),
                        let endClose = html[end.upperBound...].firstIndex(of: ">")
                    {
                        index = html.index(after: endClose)
                    } else {
                        index = html.endIndex
                    }
                    continue
                }
                if blockTags.contains(name) { output.append("\n") }
                index = html.index(after: close)
            } else if character == "&", let (decoded, next) = decodeEntity(in: html, at: index) {
                output.append(decoded)
                index = next
            } else {
                output.append(character)
                index = html.index(after: index)
            }
        }
        return collapseBlankLines(output)
    }

    static let blockTags: Set<String> = [
        "p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "table",
        "section", "article", "header", "footer", "figure", "figcaption", "hr", "pre",
    ]

    /// The lower-cased element name of a tag's inside (`/P class=x` → `p`).
    static func tagName(_ inside: Substring) -> String {
        let trimmed = inside.drop { $0 == "/" || $0 == " " }
        return String(trimmed.prefix { $0.isLetter || $0.isNumber }).lowercased()
    }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "laquo": "«", "raquo": "»",
        "hellip": "…", "ndash": "–", "mdash": "—", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”",
        "zwnj": "\u{200C}", "zwj": "\u{200D}", "lrm": "\u{200E}", "rlm": "\u{200F}", "copy": "©", "reg": "®",
        "shy": "\u{00AD}", "times": "×", "middot": "·", "bull": "•",
    ]

    /// Decodes `&name;`, `&#NNN;` or `&#xHH;` at `start`; nil when it is not an entity (the `&` stays as text).
    static func decodeEntity(in text: String, at start: String.Index) -> (String, String.Index)? {
        guard let semicolon = text[start...].prefix(12).firstIndex(of: ";") else { return nil }
        let body = text[text.index(after: start)..<semicolon]
        let next = text.index(after: semicolon)
        if body.hasPrefix("#") {
            let digits = body.dropFirst()
            let value = digits.hasPrefix("x") || digits.hasPrefix("X")
                ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            guard let value, value != 0, let scalar = Unicode.Scalar(value) else { return nil }
            return (String(Character(scalar)), next)
        }
        guard let named = namedEntities[String(body).lowercased()] else { return nil }
        return (named, next)
    }

    /// Trims each line and drops empty ones: paragraphs end up separated by one line break, as in plain-text
    /// articles.
    static func collapseBlankLines(_ text: String) -> String {
        text.split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: "\n")
    }
}
