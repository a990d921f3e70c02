/// The tokenizer's hot path: one pass over the UTF-8 bytes of a text that decodes each scalar, looks it up in the
/// `ScalarFoldingTable` (steps 1–4 precomputed), and assembles tokens in one reusable byte buffer (step 5).
///
/// It allocates the buffer once per text, and an array of link ranges only when the text holds a link; nothing per
/// token. `Tokenizer.referenceTokens(_:)` is the readable definition, and a property test holds the two equal on
/// the whole dev corpus.
struct TokenScanner {
    typealias Entry = ScalarFoldingTable.Entry

    let table: ScalarFoldingTable
    let rule: TokenRule

    /// Calls `body` with every accepted token of `bytes` (valid UTF-8, as every Swift `String` is).
    func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Tokenizer.UTF8Token) -> Void) {
        let links = LinkRemover.linkRanges(in: bytes)
        var assembler = TokenAssembler(rule: rule)
        defer { assembler.deallocate() }
        table.entries.withUnsafeBufferPointer { entries in
            var linkIndex = 0
            var nextLink = links.first?.lowerBound ?? Int.max
            var index = 0
            while index < bytes.count {
                if index == nextLink {
                    assembler.feed(Entry.linkSeparator, body)
                    index = links[linkIndex].upperBound
                    linkIndex += 1
                    nextLink = linkIndex < links.count ? links[linkIndex].lowerBound : Int.max
                    continue
                }
                let lead = bytes[index]
                let entry: UInt32
                if lead < 0x80 {
                    entry = entries[Int(lead)]
                    index += 1
                } else if lead < 0xE0 {
                    entry = entries[Int(UInt32(lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F))]
                    index += 2
                } else if lead < 0xF0 {
                    let value = UInt32(lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6
                        | UInt32(bytes[index + 2] & 0x3F)
                    entry = entries[Int(value)]
                    index += 3
                } else {
                    feedSupplementary(bytes, at: index, into: &assembler, body)
                    index += 4
                    continue
                }
                // Hot path, inlined: a letter or digit extending the current token.
                if Entry.kind(entry) == Entry.tokenKind, !assembler.hasPendingSeparator {
                    assembler.append(entry)
                } else if Entry.kind(entry) == Entry.expansionKind {
                    for expanded in table.expansions[Int(Entry.payload(entry))] { assembler.feed(expanded, body) }
                } else if Entry.kind(entry) != Entry.dropKind {
                    assembler.feed(entry, body)
                }
            }
        }
        assembler.finish(body)
    }

    /// The slow path for a scalar outside the BMP (emoji and the like): its entries are computed, not looked up.
    private func feedSupplementary(
        _ bytes: UnsafeBufferPointer<UInt8>, at index: Int, into assembler: inout TokenAssembler,
        _ body: (Tokenizer.UTF8Token) -> Void
    ) {
        let value = UInt32(bytes[index] & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12
            | UInt32(bytes[index + 2] & 0x3F) << 6 | UInt32(bytes[index + 3] & 0x3F)
        let scalar = Unicode.Scalar(value) ?? ArabicScalars.replacementCharacter
        for entry in ScalarFoldingTable.entries(for: scalar, options: table.options) { assembler.feed(entry, body) }
    }
}

/// The token being assembled: its bytes in a growable buffer, and the counts `TokenRule` needs.
struct TokenAssembler {
    typealias Entry = ScalarFoldingTable.Entry

    /// Room for most tokens; the buffer doubles when a longer one comes.
    private static let initialCapacity = 128
    /// Every append writes 4 bytes (then keeps 1–3), so the buffer keeps this much slack.
    private static let slack = 4

    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private var scalarCount = 0
    private var digitCount = 0
    private var separatorCount = 0
    /// A number separator seen right after a digit: it joins the number if a digit follows, else it separates.
    private var pendingSeparator: UInt32 = 0
    let rule: TokenRule

    init(rule: TokenRule) {
        self.rule = rule
        capacity = Self.initialCapacity
        buffer = .allocate(capacity: capacity)
    }

    func deallocate() { buffer.deallocate() }

    var hasPendingSeparator: Bool { pendingSeparator != 0 }

    /// Adds one normalized scalar's entry (never an expansion) to the token, or ends the token. Kept out of line:
    /// the scan loop inlines only `append`, so its state stays in registers.
    @inline(never)
    mutating func feed(_ entry: UInt32, _ body: (Tokenizer.UTF8Token) -> Void) {
        let kind = Entry.kind(entry)
        if kind == Entry.tokenKind {
            if pendingSeparator != 0 {
                if entry & Entry.digitBit != 0 {
                    append(pendingSeparator)
                    separatorCount += 1
                } else {
                    finish(body)
                }
                pendingSeparator = 0
            }
            append(entry)
        } else if kind == Entry.separatorKind {
            if pendingSeparator != 0 {
                pendingSeparator = 0
                finish(body)
            } else if entry & Entry.numberSeparatorBit != 0, scalarCount > 0,
                digitCount + separatorCount == scalarCount
            {
                pendingSeparator = entry
            } else if scalarCount > 0 {
                finish(body)
            }
        }
    }

    /// Writes one token entry's UTF-8 bytes and counts it.
    @inline(__always)
    mutating func append(_ entry: UInt32) {
        if count + Self.slack > capacity { grow() }
        UnsafeMutableRawPointer(buffer + count).storeBytes(of: entry.littleEndian, as: UInt32.self)
        count &+= Entry.length(entry)
        scalarCount &+= 1
        digitCount &+= Int(entry >> Entry.digitShift & 1)
    }

    @inline(never)
    private mutating func grow() {
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
        larger.update(from: buffer, count: count)
        buffer.deallocate()
        buffer = larger
        capacity *= 2
    }

    /// Ends the current token, passing it to `body` if the rule accepts it.
    @inline(never)
    mutating func finish(_ body: (Tokenizer.UTF8Token) -> Void) {
        pendingSeparator = 0
        guard scalarCount > 0 else { return }
        if rule.accepts(scalarCount: scalarCount, digitCount: digitCount, separatorCount: separatorCount) {
            body(Tokenizer.UTF8Token(utf8: UnsafeBufferPointer(start: buffer, count: count), scalarCount: scalarCount))
        }
        count = 0
        scalarCount = 0
        digitCount = 0
        separatorCount = 0
    }
}
