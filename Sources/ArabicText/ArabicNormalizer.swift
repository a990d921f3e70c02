import Foundation

/// Normalizes Arabic news text so that two spellings of one word become one string (DESIGN.md steps 1–4):
///
/// 1. NFKC (presentation forms U+FB50–U+FDFF and U+FE70–U+FEFF, ligatures such as ﻻ) and removal of
///    invisible format characters (ZWJ, ZWNJ, LRM, RLM, ALM, BOM, bidi controls);
/// 2. removal of tashkeel (U+064B–U+065F), superscript alef U+0670, Quranic marks U+06D6–U+06ED and tatweel U+0640;
/// 3. letter folding: أ إ آ ٱ → ا; ى ئ ی ې → ي; ة → ه; ؤ → و; ک → ك; Urdu heh variants → ه;
/// 4. digits ٠–٩ and ۰–۹ → 0–9; Latin letters lower-cased.
///
/// The normalizer is pure and cheap to copy; build it once and share it.
public struct ArabicNormalizer: Sendable {
    public let options: NormalizationOptions
    let table: ScalarFoldingTable

    public init(options: NormalizationOptions = .all) {
        self.options = options
        self.table = ScalarFoldingTable(options: options)
    }

    /// The normalized text, with separators (spaces, punctuation) kept as they are.
    public func normalize(_ text: String) -> String {
        var output = String.UnicodeScalarView()
        for scalar in compatibilityFolded(text).unicodeScalars {
            let folded = table.lookup(scalar)
            if !folded.drop { output.append(folded.replacement) }
        }
        return String(output)
    }

    /// Step 1's NFKC, applied only when the text holds a compatibility character: news text rarely does, and NFKC
    /// over a whole article costs more than the rest of the analyzer.
    func compatibilityFolded(_ text: String) -> String {
        guard options.unicodeCleanup, Self.containsCompatibilityCharacter(text) else { return text }
        return text.precomposedStringWithCompatibilityMapping
    }

    /// Whether NFKC could change the text in a way the analyzer cares about (presentation forms, ligatures,
    /// full-width forms, superscripts, letter-like symbols). Characters that only separate words are not checked.
    static func containsCompatibilityCharacter(_ text: String) -> Bool {
        for scalar in text.unicodeScalars where scalar.value >= 0xB2 {
            let value = scalar.value
            if (0xFB00...0xFDFF).contains(value) || (0xFE70...0xFEFE).contains(value)
                || (0xFF00...0xFFEF).contains(value) || (0x2100...0x33FF).contains(value)
                || (0xB2...0xBE).contains(value) || (0x1D400...0x1D7FF).contains(value)
            {
                return true
            }
        }
        return false
    }
}
