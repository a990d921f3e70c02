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

    /// Works on Unicode scalars, not `Character`s: in Arabic text a combining mark often follows markup (`&quot;`
    /// then a kasra, `<b>` then a fatha), and as one grapheme cluster with it the `;` or `>` would go unseen.
    public static func plainText(_ html: String) -> String {
        let scalars = Array(html.unicodeScalars)
        var output = String.UnicodeScalarView()
        output.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "<", hasPrefix("<!--", in: scalars, at: index) {
                // A comment (WordPress block markers are comments) ends at "-->", not at the first ">".
                index = find("-->", in: scalars, from: index + 4).map { $0 + 3 } ?? scalars.count
                continue
            }
            if scalar == "<", opensMarkup(scalars, at: index), let close = find(">", in: scalars, from: index + 1) {
                let inside = scalars[(index + 1)..<close]
                let name = tagName(inside)
                if name == "script" || name == "style", inside.first != "/" {
                    // Skip to the matching end tag (or the end of the text).
                    if let end = find("</\(name)", in: scalars, from: close + 1, caseInsensitive: true),
                        let endClose = find(">", in: scalars, from: end)
                    {
                        index = endClose + 1
                    } else {
                        index = scalars.count
                    }
                    continue
                }
                if blockTags.contains(name) { output.append("\n") }
                index = close + 1
            } else if scalar == "&", let (decoded, next) = decodeEntity(in: scalars, at: index) {
                output.append(contentsOf: decoded.unicodeScalars)
                index = next
            } else {
                output.append(scalar)
                index += 1
            }
        }
        return collapseBlankLines(String(output))
    }

    /// Whether the `<` at `index` opens markup: as in HTML, only when a letter, `/`, `!` or `?` follows it; any
    /// other `<` ("3 < 5", "< " starting an interview answer) is text.
    static func opensMarkup(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + 1 < scalars.count else { return false }
        let next = scalars[index + 1]
        return (next.isASCII && next.properties.isAlphabetic) || next == "/" || next == "!" || next == "?"
    }

    static func hasPrefix(_ prefix: String, in scalars: [Unicode.Scalar], at index: Int) -> Bool {
        var position = index
        for scalar in prefix.unicodeScalars {
            guard position < scalars.count, scalars[position] == scalar else { return false }
            position += 1
        }
        return true
    }

    /// The index where `needle` next starts at or after `from` (ASCII case folded when `caseInsensitive`).
    static func find(_ needle: String, in scalars: [Unicode.Scalar], from: Int, caseInsensitive: Bool = false) -> Int? {
        let pattern = Array(needle.unicodeScalars)
        guard let first = pattern.first, from <= scalars.count - pattern.count else { return nil }
        func same(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> Bool {
            guard caseInsensitive, a.isASCII, b.isASCII else { return a == b }
            return a.value | 0x20 == b.value | 0x20 && a.properties.isAlphabetic == b.properties.isAlphabetic
        }
        var start = from
        while start <= scalars.count - pattern.count {
            if same(scalars[start], first), (1..<pattern.count).allSatisfy({ same(scalars[start + $0], pattern[$0]) }) {
                return start
            }
            start += 1
        }
        return nil
    }

    static let blockTags: Set<String> = [
        "p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "table",
        "section", "article", "header", "footer", "figure", "figcaption", "hr", "pre",
    ]

    /// The lower-cased element name of a tag's inside (`/P class=x` → `p`).
    static func tagName(_ inside: ArraySlice<Unicode.Scalar>) -> String {
        let trimmed = inside.drop { $0 == "/" || $0 == " " }
        var name = String.UnicodeScalarView()
        name.append(contentsOf: trimmed.prefix { $0.properties.isAlphabetic || $0.properties.numericType != nil })
        return String(name).lowercased()
    }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "laquo": "«", "raquo": "»",
        "hellip": "…", "ndash": "–", "mdash": "—", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”",
        "zwnj": "\u{200C}", "zwj": "\u{200D}", "lrm": "\u{200E}", "rlm": "\u{200F}", "copy": "©", "reg": "®",
        "shy": "\u{00AD}", "times": "×", "middot": "·", "bull": "•",
    ]

    /// Decodes `&name;`, `&#NNN;` or `&#xHH;` at `start`; nil when it is not an entity (the `&` stays as text).
    /// - Returns: the text and the index after the `;`.
    static func decodeEntity(in scalars: [Unicode.Scalar], at start: Int) -> (String, Int)? {
        guard let semicolon = scalars[start..<min(scalars.count, start + 12)].firstIndex(of: ";") else { return nil }
        var bodyScalars = String.UnicodeScalarView()
        bodyScalars.append(contentsOf: scalars[(start + 1)..<semicolon])
        let body = String(bodyScalars)
        let next = semicolon + 1
        if body.hasPrefix("#") {
            let digits = body.dropFirst()
            let value = digits.hasPrefix("x") || digits.hasPrefix("X")
                ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            guard let value, value != 0, let scalar = Unicode.Scalar(value) else { return nil }
            return (String(Character(scalar)), next)
        }
        guard let named = namedEntities[body.lowercased()] else { return nil }
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
