/// Normalizes Arabic news text so that two spellings of one word become one string (DESIGN.md steps 1–4):
///
/// 1. NFKC, scalar by scalar (presentation forms U+FB50–U+FDFF and U+FE70–U+FEFE, ligatures such as ﻻ, NBSP),
///    and removal of invisible format characters (ZWJ, ZWNJ, LRM, RLM, ALM, BOM, soft hyphen, bidi controls);
/// 2. removal of tashkeel (U+064B–U+065F), superscript alef U+0670, honorific marks U+0610–U+061A, Quranic marks
///    U+06D6–U+06ED and tatweel U+0640;
/// 3. letter folding: أ إ آ ٱ → ا; ى ئ ی ې ۍ ے → ي; ة ۃ ھ ہ ۀ ە → ه; ؤ → و; ک → ك;
/// 4. digits ٠–٩ and ۰–۹ → 0–9; Latin (and other cased) letters lower-cased.
///
/// `normalize(_:)` is the readable reference: it applies `ScalarRules` to each scalar and keeps separators as they
/// are. The tokenizer runs the same rules through `ScalarFoldingTable` in one fused pass over UTF-8, and a property
/// test holds the two equal on the dev corpus. The normalizer is pure and cheap to copy; build it once and share it.
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
        for scalar in text.unicodeScalars {
            if options.unicodeCleanup, let mapped = CompatibilityMapping.mapping(of: scalar) {
                output.append(contentsOf: mapped.compactMap { ScalarRules.fold($0, options: options) })
            } else if let folded = ScalarRules.fold(scalar, options: options) {
                output.append(folded)  // the common case, spelled out to avoid an array per scalar
            }
        }
        return String(output)
    }
}
