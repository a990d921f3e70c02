import Foundation

/// Cuts a WordPress export into its `<item>` elements, byte by byte as the file is read, so that each item is
/// parsed on its own (see `WXRRecords`).
///
/// Why not hand the whole document to an XML parser: one fatal error (a truncated item, a byte that is not UTF-8)
/// would lose every item after it, the document's DTD would be honoured (entity expansion, external entities), and
/// the whole file would sit in memory. This scanner only recognizes what it must to find item boundaries —
/// comments, CDATA sections, processing instructions, declarations (the DOCTYPE and its internal subset, which is
/// skipped and never interpreted) and tags with their quoted attributes — and keeps at most one item, up to
/// `maximumItemBytes`, in memory.
struct WXRItemScanner {
    enum Event {
        /// A complete `<item>…</item>` (its bytes), starting on `line`, and the start of a document that gives it
        /// the export's encoding and namespaces (`<?xml … encoding="…"?><rss xmlns:…>`, on one line).
        case item(line: Int, bytes: [UInt8], prolog: String)
        /// An item over the size limit: only its length was kept.
        case oversized(line: Int, byteCount: Int)
        /// An item that never closed: the next `<item>` began, or the file ended, inside it.
        case unterminated(line: Int, reason: String)
    }

    var maximumItemBytes = ArticleReader.maximumRecordBytes
    /// The `xmlns` declarations of the elements around the items (`rss`, `channel`), for parsing an item alone.
    private(set) var namespaceDeclarations = [String]()
    /// The encoding the XML declaration names, if any.
    private(set) var declaredEncoding: String?
    private(set) var sawRoot = false
    private(set) var closedRoot = false
    private(set) var sawDoctype = false
    /// The current line (1-based).
    private(set) var line = 1

    private enum Markup { case undecided, comment, cdata, processingInstruction, declaration, endTag, startTag }

    // The markup construct being read, from its '<'.
    private var markup: Markup? = nil
    private var markupLine = 1
    private var markupLength = 0
    /// Its first bytes (the whole construct for a start tag outside items, up to 64 KiB), to classify it and read
    /// the tag's name and attributes.
    private var markupHead = [UInt8]()
    private var tail: (UInt8, UInt8, UInt8) = (0, 0, 0)
    private var quote: UInt8? = nil
    private var bracketDepth = 0

    // The item being read.
    private var inItem = false
    private var itemLine = 0
    private var itemBytes = [UInt8]()
    private var itemLength = 0

    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (Event) throws -> Void) throws {
        for byte in bytes { try consume(byte, emit) }
    }

    /// Ends the input: an item still open is reported as cut short.
    mutating func finish(_ emit: (Event) throws -> Void) throws {
        if inItem {
            inItem = false
            try emit(.unterminated(line: itemLine, reason: "XML error: the file ends inside this item (truncated export?)"))
        }
    }

    private mutating func consume(_ byte: UInt8, _ emit: (Event) throws -> Void) throws {
        if byte == 0x0A { line += 1 }
        if inItem {
            itemLength += 1
            if itemLength <= maximumItemBytes { itemBytes.append(byte) } else if !itemBytes.isEmpty { itemBytes = [] }
        }
        guard let kind = markup else {
            if byte == UInt8(ascii: "<") { begin() }
            return
        }
        markupLength += 1
        if markupHead.count < headLimit(kind) { markupHead.append(byte) }
        tail = (tail.1, tail.2, byte)
        switch kind {
        case .undecided: try classify(byte, emit)
        case .comment: if markupLength >= 7, tail == (0x2D, 0x2D, 0x3E) { markup = nil }  // -->
        case .cdata: if markupLength >= 12, tail == (0x5D, 0x5D, 0x3E) { markup = nil }  // ]]>
        case .processingInstruction:
            if markupLength >= 4, tail.1 == 0x3F, tail.2 == 0x3E { try endProcessingInstruction() }  // ?>
        case .declaration:
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == 0x22 || byte == 0x27 {
                quote = byte
            } else if byte == 0x5B {
                bracketDepth += 1
            } else if byte == 0x5D {
                bracketDepth = max(0, bracketDepth - 1)
            } else if byte == 0x3E, bracketDepth == 0 {
                markup = nil
            }
        case .endTag, .startTag:
            if byte == UInt8(ascii: "<") {
                // No tag holds a '<', not even in a quoted attribute value (XML requires &lt; there): this tag was
                // broken, and the '<' starts the next construct, so one stray quote cannot swallow the items after it.
                begin()
            } else if let open = quote {
                if byte == open { quote = nil }
            } else if byte == 0x22 || byte == 0x27 {
                quote = byte
            } else if byte == 0x3E {
                try endTag(kind, emit)
            }
        }
    }

    /// How much of a construct is kept: a start tag outside items whole (its attributes may declare namespaces),
    /// an XML declaration up to its encoding, anything else only far enough to tell what it is.
    private func headLimit(_ kind: Markup) -> Int {
        guard !inItem else { return 16 }
        switch kind {
        case .startTag: return 1 << 16
        case .processingInstruction: return 256
        default: return 16
        }
    }

    private mutating func begin() {
        markup = .undecided
        markupLine = line
        markupLength = 1
        markupHead = [UInt8(ascii: "<")]
        tail = (0, 0, UInt8(ascii: "<"))
        quote = nil
        bracketDepth = 0
    }

    /// Decides what a construct is from its first bytes; a '<' that opens nothing is text (a '<' after it starts
    /// markup again).
    private mutating func classify(_ byte: UInt8, _ emit: (Event) throws -> Void) throws {
        let head = markupHead
        if head.count == 2 {
            switch byte {
            case UInt8(ascii: "!"): return
            case UInt8(ascii: "?"): markup = .processingInstruction
            case UInt8(ascii: "/"): markup = .endTag
            case UInt8(ascii: "<"): begin()
            default: markup = Self.isNameStart(byte) ? .startTag : nil
            }
            return
        }
        // "<!" so far.
        let comment = Array("<!--".utf8)
        let cdata = Array("<![CDATA[".utf8)
        if comment.starts(with: head) || cdata.starts(with: head) {
            if head == comment { markup = .comment }
            if head == cdata { markup = .cdata }
            return
        }
        markup = .declaration
        if head.starts(with: Array("<!D".utf8)) || head.starts(with: Array("<!d".utf8)) { sawDoctype = true }
        bracketDepth = head.dropFirst(2).filter { $0 == 0x5B }.count
        if byte == 0x22 || byte == 0x27 { quote = byte }
        if byte == 0x3E, bracketDepth == 0 { markup = nil }
    }

    static func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x3A || byte >= 0x80
    }

    /// The element name of the tag in `markupHead` (after `<` or `</`).
    private var tagName: String {
        let start = markupHead.dropFirst(markupHead.count > 1 && markupHead[1] == 0x2F ? 2 : 1)
        let name = start.prefix { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x2F || $0 == 0x3E) }
        return String(decoding: name, as: UTF8.self)
    }

    private mutating func endTag(_ kind: Markup, _ emit: (Event) throws -> Void) throws {
        markup = nil
        let name = tagName
        if kind == .endTag {
            if name == "item", inItem { try endItem(emit) }
            if name == "rss", !inItem { closedRoot = true }
            return
        }
        if name == "item" {
            if inItem {
                // The next item began before this one closed: report this one, start the next.
                inItem = false
                try emit(.unterminated(line: itemLine, reason: "XML error: this item has no </item> before the next <item>"))
            }
            inItem = true
            itemLine = markupLine
            itemBytes = Array(markupHead.prefix(markupLength))
            itemBytes.reserveCapacity(4096)
            itemLength = markupLength
            if markupHead.count >= 2, markupHead[markupHead.count - 2] == 0x2F { try endItem(emit) }  // <item/>
            return
        }
        guard !inItem else { return }
        if name == "rss" { sawRoot = true }
        // Declarations are kept once each and at most 64 of them, so that a hostile file of countless tags outside
        // the items cannot grow every item's prolog.
        guard namespaceDeclarations.count < 64, markupHead.count > 6, Self.containsXMLNS(markupHead) else { return }
        for declaration in Self.namespaceDeclarations(in: String(decoding: markupHead, as: UTF8.self)) {
            // One declaration per prefix (an attribute twice would make every item ill-formed); the inner one wins.
            let prefix = declaration.prefix { $0 != "=" && !$0.isWhitespace }
            if let same = namespaceDeclarations.firstIndex(where: { $0.prefix { $0 != "=" && !$0.isWhitespace } == prefix }) {
                namespaceDeclarations[same] = declaration
            } else if namespaceDeclarations.count < 64 {
                namespaceDeclarations.append(declaration)
            }
        }
    }

    private mutating func endItem(_ emit: (Event) throws -> Void) throws {
        inItem = false
        let bytes = itemBytes
        itemBytes = []
        try emit(itemLength > maximumItemBytes ? .oversized(line: itemLine, byteCount: itemLength) : .item(line: itemLine, bytes: bytes, prolog: prolog))
    }

    /// The start of a document for one item: UTF-8 (whatever the export declares: see `WXRRecords.parseItem`),
    /// the export's namespaces, no DTD.
    var prolog: String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss \(namespaceDeclarations.joined(separator: " "))>"
    }

    /// Reads the encoding an XML declaration names (`<?xml version="1.0" encoding="UTF-8"?>`).
    private mutating func endProcessingInstruction() throws {
        markup = nil
        guard !inItem, declaredEncoding == nil else { return }
        let text = String(decoding: markupHead, as: UTF8.self)
        guard text.hasPrefix("<?xml"), let range = text.range(of: #"encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']"#, options: .regularExpression)
        else { return }
        declaredEncoding = text[range].split(whereSeparator: { $0 == "\"" || $0 == "'" }).dropFirst().first.map(String.init)
    }

    static func containsXMLNS(_ bytes: [UInt8]) -> Bool {
        let pattern = Array("xmlns".utf8)
        return bytes.indices.dropLast(pattern.count - 1).contains { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) }
    }

    /// `xmlns` and `xmlns:prefix` attributes of a start tag, as written.
    static func namespaceDeclarations(in tag: String) -> [String] {
        let pattern = #"xmlns(:[A-Za-z_][A-Za-z0-9_.\-]*)?\s*=\s*("[^"]*"|'[^']*')"#
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(tag.startIndex..., in: tag)
        return expression.matches(in: tag, range: range).compactMap { Range($0.range, in: tag).map { String(tag[$0]) } }
    }
}
