/// Splits normalized text into tokens (DESIGN.md step 5): maximal runs of letters and digits, at least
/// `minimumLength` characters long; a token made only of digits is kept only when it has exactly 4 digits (a year).
///
/// URLs and e-mail addresses are removed whole: their pieces (`https`, `www`, `com`) would only add noise terms.
/// Normalization (steps 1–4) happens in the same pass, through the normalizer's folding table, so a removed
/// mark inside a word (tatweel, ZWNJ, a vowel) never splits it.
public struct Tokenizer: Sendable {
    public let normalizer: ArabicNormalizer
    public var minimumLength: Int
    public var keepsOnlyYearNumbers: Bool

    public init(normalizer: ArabicNormalizer = ArabicNormalizer(), minimumLength: Int = 2, keepsOnlyYearNumbers: Bool = true) {
        self.normalizer = normalizer
        self.minimumLength = minimumLength
        self.keepsOnlyYearNumbers = keepsOnlyYearNumbers
    }

    /// Calls `body` with each token of `text`, in order.
    public func forEachToken(in text: String, _ body: (String) -> Void) {
        let cleaned = LinkRemover.removingLinks(from: normalizer.compatibilityFolded(text))
        let table = normalizer.table
        var utf8 = [UInt8]()
        utf8.reserveCapacity(64)
        var scalarCount = 0
        var digitCount = 0

        func flush() {
            defer {
                utf8.removeAll(keepingCapacity: true)
                scalarCount = 0
                digitCount = 0
            }
            guard scalarCount >= minimumLength else { return }
            if keepsOnlyYearNumbers, digitCount == scalarCount, digitCount != 4 { return }
            body(String(decoding: utf8, as: UTF8.self))
        }

        for scalar in cleaned.unicodeScalars {
            let folded = table.lookup(scalar)
            if folded.drop { continue }
            if folded.isToken {
                UTF8.encode(folded.replacement) { utf8.append($0) }
                scalarCount += 1
                if (0x30...0x39).contains(folded.replacement.value) { digitCount += 1 }
            } else if scalarCount > 0 {
                flush()
            }
        }
        if scalarCount > 0 { flush() }
    }

    /// The tokens of `text`, in order.
    public func tokens(_ text: String) -> [String] {
        var result = [String]()
        forEachToken(in: text) { result.append($0) }
        return result
    }
}

/// Blanks out URLs and e-mail addresses (whitespace-delimited chunks holding `://`, `www.` or `@`).
enum LinkRemover {
    static func removingLinks(from text: String) -> String {
        let bytes = text.utf8
        // Fast path: most articles hold no link at all.
        guard mayContainLink(bytes) else { return text }
        var output = [UInt8]()
        output.reserveCapacity(bytes.count)
        var chunk = [UInt8]()
        func flushChunk() {
            if isLink(chunk) {
                output.append(UInt8(ascii: " "))
            } else {
                output.append(contentsOf: chunk)
            }
            chunk.removeAll(keepingCapacity: true)
        }
        for byte in bytes {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t")
                || byte == UInt8(ascii: "\r")
            {
                flushChunk()
                output.append(byte)
            } else {
                chunk.append(byte)
            }
        }
        flushChunk()
        return String(decoding: output, as: UTF8.self)
    }

    /// A cheap scan for `@`, `://` or `www.`; only texts that pass it are split into chunks.
    static func mayContainLink(_ bytes: String.UTF8View) -> Bool {
        var previous: (UInt8, UInt8, UInt8) = (0, 0, 0)
        for byte in bytes {
            if byte == UInt8(ascii: "@") { return true }
            if byte == UInt8(ascii: "/"), previous.1 == UInt8(ascii: ":"), previous.2 == UInt8(ascii: "/") { return true }
            if byte == UInt8(ascii: "."), previous == (UInt8(ascii: "w"), UInt8(ascii: "w"), UInt8(ascii: "w")) {
                return true
            }
            previous = (previous.1, previous.2, byte)
        }
        return false
    }

    private static let schemeSeparator = Array("://".utf8)
    private static let wwwPrefix = Array("www.".utf8)

    static func isLink(_ chunk: [UInt8]) -> Bool {
        guard chunk.count >= 4 else { return false }
        if let at = chunk.firstIndex(of: UInt8(ascii: "@")), at > 0, at < chunk.count - 1,
            chunk[(at + 1)...].contains(UInt8(ascii: "."))
        {
            return true
        }
        if chunk.count > 3, chunk.indices.dropLast(2).contains(where: { chunk[$0..<($0 + 3)].elementsEqual(schemeSeparator) }) {
            return true
        }
        let lowered = chunk.prefix(4).map { $0 | 0x20 }
        return lowered.elementsEqual(wwwPrefix.map { $0 | 0x20 })
    }
}
