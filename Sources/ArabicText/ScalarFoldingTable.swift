/// The enabled per-scalar rules composed into one lookup table over the Basic Multilingual Plane.
///
/// Built once per `ArabicNormalizer` from `ScalarRules` (in DESIGN.md's order), so the table is equal to the
/// composition by construction; the hot path then costs one array read per scalar.
struct ScalarFoldingTable: Sendable {
    /// Entry layout: bits 0–20 the replacement scalar, `dropBit` = remove without breaking the word,
    /// `tokenBit` = the replacement is part of a token.
    private let entries: [UInt32]
    private static let dropBit: UInt32 = 1 << 30
    private static let tokenBit: UInt32 = 1 << 29
    private static let scalarMask: UInt32 = 0x1F_FFFF

    let options: NormalizationOptions

    init(options: NormalizationOptions) {
        self.options = options
        var entries = [UInt32](repeating: 0, count: 0x1_0000)
        for value in 0..<UInt32(0x1_0000) {
            guard let scalar = Unicode.Scalar(value) else {
                entries[Int(value)] = Self.dropBit  // surrogate code points never occur in a String
                continue
            }
            entries[Int(value)] = Self.encode(Self.apply(options, to: scalar))
        }
        self.entries = entries
    }

    /// The composition of the enabled rules for one scalar, in pipeline order; `nil` means removed.
    static func apply(_ options: NormalizationOptions, to scalar: Unicode.Scalar) -> Unicode.Scalar? {
        var current = scalar
        if options.unicodeCleanup {
            guard let kept = ScalarRules.dropFormatCharacter(current) else { return nil }
            current = kept
        }
        if options.stripDiacritics {
            guard let kept = ScalarRules.dropDiacritic(current) else { return nil }
            current = kept
        }
        if options.foldLetters { current = ScalarRules.foldLetter(current) }
        if options.foldDigitsAndCase { current = ScalarRules.foldDigitAndCase(current) }
        return current
    }

    private static func encode(_ scalar: Unicode.Scalar?) -> UInt32 {
        guard let scalar else { return dropBit }
        return scalar.value | (ScalarRules.isTokenScalar(scalar) ? tokenBit : 0)
    }

    /// What happens to one input scalar: removed, or replaced by a scalar that is or is not part of a token.
    @inline(__always)
    func lookup(_ scalar: Unicode.Scalar) -> (drop: Bool, replacement: Unicode.Scalar, isToken: Bool) {
        let entry: UInt32
        if scalar.value < 0x1_0000 {
            entry = entries[Int(scalar.value)]
        } else {
            entry = Self.encode(Self.apply(options, to: scalar))
        }
        return (
            entry & Self.dropBit != 0,
            Unicode.Scalar(entry & Self.scalarMask) ?? ArabicScalars.replacementCharacter,
            entry & Self.tokenBit != 0
        )
    }
}
