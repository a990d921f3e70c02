/// Named Unicode scalars and ranges the analyzer's rules refer to.
///
/// Logic never uses a bare literal: every rule names the letter it is about, so a reader can check a rule against
/// the Unicode charts without decoding escapes.
public enum ArabicScalars {
    // MARK: Letters folded by the normalizer
    public static let alef: Unicode.Scalar = "\u{0627}"
    public static let alefWithMadda: Unicode.Scalar = "\u{0622}"
    public static let alefWithHamzaAbove: Unicode.Scalar = "\u{0623}"
    public static let alefWithHamzaBelow: Unicode.Scalar = "\u{0625}"
    public static let alefWasla: Unicode.Scalar = "\u{0671}"
    public static let alefMaksura: Unicode.Scalar = "\u{0649}"
    public static let yeh: Unicode.Scalar = "\u{064A}"
    public static let yehWithHamzaAbove: Unicode.Scalar = "\u{0626}"
    public static let tehMarbuta: Unicode.Scalar = "\u{0629}"
    public static let heh: Unicode.Scalar = "\u{0647}"
    public static let wawWithHamzaAbove: Unicode.Scalar = "\u{0624}"
    public static let waw: Unicode.Scalar = "\u{0648}"
    public static let kaf: Unicode.Scalar = "\u{0643}"
    public static let lam: Unicode.Scalar = "\u{0644}"
    public static let beh: Unicode.Scalar = "\u{0628}"
    public static let feh: Unicode.Scalar = "\u{0641}"
    public static let hamza: Unicode.Scalar = "\u{0621}"

    // MARK: Persian, Urdu and Kurdish variants
    public static let keheh: Unicode.Scalar = "\u{06A9}"  // ک
    public static let farsiYeh: Unicode.Scalar = "\u{06CC}"  // ی
    public static let yehWithTail: Unicode.Scalar = "\u{06CD}"
    public static let eYeh: Unicode.Scalar = "\u{06D0}"  // ې
    public static let yehBarree: Unicode.Scalar = "\u{06D2}"
    public static let hehDoachashmee: Unicode.Scalar = "\u{06BE}"
    public static let hehGoal: Unicode.Scalar = "\u{06C1}"
    public static let hehWithYehAbove: Unicode.Scalar = "\u{06C0}"
    public static let aeHeh: Unicode.Scalar = "\u{06D5}"  // ە
    public static let tehMarbutaGoal: Unicode.Scalar = "\u{06C3}"

    // MARK: Marks removed by the normalizer
    /// Harakat, tanwin, shadda, sukun and the extended marks U+064B–U+065F.
    public static let tashkeel: ClosedRange<UInt32> = 0x064B...0x065F
    public static let superscriptAlef: Unicode.Scalar = "\u{0670}"
    /// Small high ligatures and Quranic annotation marks U+06D6–U+06ED.
    public static let quranicMarks: ClosedRange<UInt32> = 0x06D6...0x06ED
    /// Honorific and Quranic marks above/below letters, U+0610–U+061A.
    public static let honorificMarks: ClosedRange<UInt32> = 0x0610...0x061A
    public static let tatweel: Unicode.Scalar = "\u{0640}"

    // MARK: Digits
    public static let arabicIndicDigits: ClosedRange<UInt32> = 0x0660...0x0669
    public static let easternArabicIndicDigits: ClosedRange<UInt32> = 0x06F0...0x06F9
    public static let arabicDecimalSeparator: Unicode.Scalar = "\u{066B}"  // ٫
    public static let arabicThousandsSeparator: Unicode.Scalar = "\u{066C}"  // ٬
    /// Separators that join the digit groups of one number (٣٫٥, ١٬٠٠٠): see `Tokenizer` for the number rule.
    public static let numberSeparators: Set<Unicode.Scalar> = [arabicDecimalSeparator, arabicThousandsSeparator]

    // MARK: Invisible format characters dropped inside words
    public static let zeroWidthNonJoiner: Unicode.Scalar = "\u{200C}"
    public static let zeroWidthJoiner: Unicode.Scalar = "\u{200D}"
    public static let leftToRightMark: Unicode.Scalar = "\u{200E}"
    public static let rightToLeftMark: Unicode.Scalar = "\u{200F}"
    public static let arabicLetterMark: Unicode.Scalar = "\u{061C}"
    public static let byteOrderMark: Unicode.Scalar = "\u{FEFF}"
    public static let softHyphen: Unicode.Scalar = "\u{00AD}"
    public static let wordJoiner: Unicode.Scalar = "\u{2060}"
    /// LRE, RLE, PDF, LRO, RLO.
    public static let bidiEmbeddings: ClosedRange<UInt32> = 0x202A...0x202E
    /// LRI, RLI, FSI, PDI and the deprecated format controls after them.
    public static let bidiIsolates: ClosedRange<UInt32> = 0x2066...0x206F

    // MARK: Compatibility forms folded by NFKC
    public static let presentationFormsA: ClosedRange<UInt32> = 0xFB50...0xFDFF
    public static let presentationFormsB: ClosedRange<UInt32> = 0xFE70...0xFEFE
    public static let replacementCharacter: Unicode.Scalar = "\u{FFFD}"
    /// ﻻ ﻷ ﻹ ﻵ and their final forms: NFKC turns each into lam + alef (then step 3 folds the alef).
    public static let lamAlefLigatures: ClosedRange<UInt32> = 0xFEF5...0xFEFC
}
