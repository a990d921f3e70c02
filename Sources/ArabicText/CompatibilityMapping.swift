import Foundation

/// Step 1's NFKC, one scalar at a time: the compatibility mapping of every scalar that NFKC changes
/// (presentation forms U+FB50–U+FDFF and U+FE70–U+FEFE, lam-alef ligatures ﻻ ﻷ ﻹ ﻵ, full-width Latin, superscript
/// digits, NBSP → space, ﷲ → الله, ﷺ → صلى الله عليه وسلم).
///
/// Decision: NFKC is applied per scalar rather than over the whole text. The only cross-scalar effect of NFKC is
/// canonical composition (e.g. ا + U+0654 → أ); in Arabic it only ever composes a hamza or madda mark onto a letter,
/// and step 2 strips that mark while step 3 folds the composed letter to the same bare letter, so with every step on
/// the tokens are the same. Per-scalar mapping keeps the analyzer one linear pass with no copy of the article, and
/// makes the output of a text independent of whether some *other* character in it happened to need NFKC.
enum CompatibilityMapping {
    /// The NFKC form of each BMP scalar that NFKC changes; scalars absent from the table map to themselves.
    /// Built once per process (about 4,000 candidate scalars, a few milliseconds).
    static let basicPlane: [UInt32: [Unicode.Scalar]] = {
        var table = [UInt32: [Unicode.Scalar]]()
        for value in UInt32(0)..<0x1_0000 {
            guard let scalar = Unicode.Scalar(value), let mapped = computeMapping(scalar) else { continue }
            table[value] = mapped
        }
        return table
    }()

    /// The NFKC form of `scalar`, or `nil` when NFKC leaves it unchanged.
    static func mapping(of scalar: Unicode.Scalar) -> [Unicode.Scalar]? {
        scalar.value < 0x1_0000 ? basicPlane[scalar.value] : computeMapping(scalar)
    }

    /// NFKC through Foundation, skipping the scalars Unicode marks as stable (`Changes_When_NFKC_Casefolded` is a
    /// superset of "changes under NFKC", so the cheap property check loses nothing).
    private static func computeMapping(_ scalar: Unicode.Scalar) -> [Unicode.Scalar]? {
        guard scalar.properties.changesWhenNFKCCaseFolded else { return nil }
        let mapped = Array(String(Character(scalar)).precomposedStringWithCompatibilityMapping.unicodeScalars)
        return mapped == [scalar] ? nil : mapped
    }
}
