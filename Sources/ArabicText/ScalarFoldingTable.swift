import Foundation

/// Steps 1–4 composed into one lookup table over the Basic Multilingual Plane, for the tokenizer's fused pass.
///
/// Built from `ScalarRules.normalize(_:options:)`, so the table equals the readable rules by construction; the hot
/// path then costs one array read per input scalar and writes the replacement's UTF-8 bytes without decoding them.
/// Tables are cached per `NormalizationOptions` (256 KB each), so building many analyzers stays cheap.
struct ScalarFoldingTable: Sendable {
    /// One packed `Entry` per BMP scalar.
    let entries: [UInt32]
    /// The outputs of scalars that normalize to several scalars (ﻻ → ل ا), as entries that never expand again.
    let expansions: [[UInt32]]
    let options: NormalizationOptions

    /// What the tokenizer does with one normalized scalar, packed into 32 bits:
    /// bits 0–23 the UTF-8 bytes of the replacement (first byte lowest) or an expansion index, bits 24–25 the byte
    /// count, bits 26–27 the kind, bit 28 "is a decimal digit", bit 29 "is a number separator" (٫ ٬).
    enum Entry {
        static let dropKind: UInt32 = 0
        static let separatorKind: UInt32 = 1
        static let tokenKind: UInt32 = 2
        static let expansionKind: UInt32 = 3
        static let kindShift: UInt32 = 26
        static let lengthShift: UInt32 = 24
        static let digitShift: UInt32 = 28
        static let digitBit: UInt32 = 1 << digitShift
        static let numberSeparatorBit: UInt32 = 1 << 29
        static let payloadMask: UInt32 = 0xFF_FFFF

        /// An entry for a scalar that passed the rules, or `dropped` for `nil`.
        static func make(_ scalar: Unicode.Scalar?) -> UInt32 {
            guard let scalar else { return dropped }
            var bytes: UInt32 = 0
            var count: UInt32 = 0
            UTF8.encode(scalar) { byte in
                bytes |= UInt32(byte) << (8 * count)
                count += 1
            }
            precondition(count <= 3, "only BMP scalars are packed; others go through the slow path")
            let kind = ScalarRules.isTokenScalar(scalar) ? tokenKind : separatorKind
            return bytes | count << lengthShift | kind << kindShift
                | (ScalarRules.isDigit(scalar) && kind == tokenKind ? digitBit : 0)
                | (ScalarRules.isNumberSeparator(scalar) && kind == separatorKind ? numberSeparatorBit : 0)
        }

        static let dropped: UInt32 = dropKind << kindShift
        /// The entry a link (URL, e-mail) counts as: one separator.
        static let linkSeparator: UInt32 = make(" ")

        @inline(__always) static func kind(_ entry: UInt32) -> UInt32 { entry >> kindShift & 0b11 }
        @inline(__always) static func length(_ entry: UInt32) -> Int { Int(entry >> lengthShift & 0b11) }
        @inline(__always) static func payload(_ entry: UInt32) -> UInt32 { entry & payloadMask }
    }

    init(options: NormalizationOptions) {
        self = Self.cache.table(for: options)
    }

    private init(building options: NormalizationOptions) {
        self.options = options
        var entries = [UInt32](repeating: Entry.dropped, count: 0x1_0000)
        var expansions = [[UInt32]]()
        for value in 0..<UInt32(0x1_0000) {
            // Surrogate code points never occur in a String and stay `dropped`.
            guard let scalar = Unicode.Scalar(value) else { continue }
            let output = Self.entries(for: scalar, options: options)
            if output.count == 1 {
                entries[Int(value)] = output[0]
            } else if output.isEmpty {
                entries[Int(value)] = Entry.dropped
            } else {
                entries[Int(value)] = UInt32(expansions.count) | Entry.expansionKind << Entry.kindShift
                expansions.append(output)
            }
        }
        self.entries = entries
        self.expansions = expansions
    }

    /// The entries of every scalar `scalar` normalizes to; also the slow path for scalars outside the BMP.
    static func entries(for scalar: Unicode.Scalar, options: NormalizationOptions) -> [UInt32] {
        ScalarRules.normalize(scalar, options: options).flatMap { folded -> [UInt32] in
            // Supplementary-plane scalars are never token scalars (`ScalarRules.isTokenScalar`), so any separator
            // entry stands for them and the packed layout stays at 3 bytes.
            [Entry.make(folded.value < 0x1_0000 ? folded : " ")]
        }
    }

    /// The per-options table cache.
    private static let cache = Cache()

    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var tables = [NormalizationOptions: ScalarFoldingTable]()

        func table(for options: NormalizationOptions) -> ScalarFoldingTable {
            lock.lock()
            defer { lock.unlock() }
            if let table = tables[options] { return table }
            let table = ScalarFoldingTable(building: options)
            tables[options] = table
            return table
        }
    }
}
