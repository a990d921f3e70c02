/// The per-scalar rules of normalization steps 1–4: pure functions from one scalar to its replacement,
/// `nil` meaning "remove it without breaking the word".
///
/// Each rule is small and independently testable; `ScalarFoldingTable` composes the enabled ones into one lookup
/// table for the hot path.
enum ScalarRules {
    typealias S = ArabicScalars

    /// Step 1: invisible format characters (ZWJ, ZWNJ, LRM, RLM, ALM, BOM, soft hyphen, bidi controls) are removed.
    static func dropFormatCharacter(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar {
        case S.zeroWidthNonJoiner, S.zeroWidthJoiner, S.leftToRightMark, S.rightToLeftMark, S.arabicLetterMark,
            S.byteOrderMark, S.softHyphen, S.wordJoiner:
            return nil
        default:
            if S.bidiEmbeddings.contains(scalar.value) || S.bidiIsolates.contains(scalar.value) { return nil }
            return scalar
        }
    }

    /// Step 2: tashkeel, superscript (dagger) alef, honorific and Quranic marks, and tatweel are removed.
    static func dropDiacritic(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        let value = scalar.value
        if S.tashkeel.contains(value) || S.quranicMarks.contains(value) || S.honorificMarks.contains(value) {
            return nil
        }
        if scalar == S.superscriptAlef || scalar == S.tatweel { return nil }
        return scalar
    }

    /// Step 3: letter variants that news text uses interchangeably fold to one letter.
    static func foldLetter(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar {
        case S.alefWithMadda, S.alefWithHamzaAbove, S.alefWithHamzaBelow, S.alefWasla: return S.alef
        case S.alefMaksura, S.yehWithHamzaAbove, S.farsiYeh, S.yehWithTail, S.eYeh, S.yehBarree: return S.yeh
        case S.tehMarbuta, S.tehMarbutaGoal, S.hehDoachashmee, S.hehGoal, S.hehWithYehAbove, S.aeHeh: return S.heh
        case S.wawWithHamzaAbove: return S.waw
        case S.keheh: return S.kaf
        default: return scalar
        }
    }

    /// Step 4: Arabic-Indic (U+0660–0669) and Eastern Arabic-Indic (U+06F0–06F9) digits become ASCII digits;
    /// Latin (and other cased) letters are lower-cased.
    static func foldDigitAndCase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let value = scalar.value
        if S.arabicIndicDigits.contains(value) { return Unicode.Scalar(0x30 + value - S.arabicIndicDigits.lowerBound)! }
        if S.easternArabicIndicDigits.contains(value) {
            return Unicode.Scalar(0x30 + value - S.easternArabicIndicDigits.lowerBound)!
        }
        if value < 0x80 {
            return (0x41...0x5A).contains(value) ? Unicode.Scalar(value + 0x20)! : scalar
        }
        if scalar.properties.changesWhenLowercased {
            let lower = scalar.properties.lowercaseMapping.unicodeScalars
            if lower.count == 1, let only = lower.first { return only }
        }
        return scalar
    }

    /// Steps 1–4 for one input scalar, in pipeline order: its NFKC mapping (step 1, when on), then each resulting
    /// scalar through the enabled rules. Usually one scalar comes out; none when it is removed (a mark, ZWNJ);
    /// several for a ligature (ﻻ → ل ا).
    static func normalize(_ scalar: Unicode.Scalar, options: NormalizationOptions) -> [Unicode.Scalar] {
        let expanded = options.unicodeCleanup ? CompatibilityMapping.mapping(of: scalar) ?? [scalar] : [scalar]
        return expanded.compactMap { fold($0, options: options) }
    }

    /// The enabled per-scalar rules of steps 1–4 (after NFKC), in pipeline order; `nil` means removed.
    static func fold(_ scalar: Unicode.Scalar, options: NormalizationOptions) -> Unicode.Scalar? {
        var current = scalar
        if options.unicodeCleanup {
            guard let kept = dropFormatCharacter(current) else { return nil }
            current = kept
        }
        if options.stripDiacritics {
            guard let kept = dropDiacritic(current) else { return nil }
            current = kept
        }
        if options.foldLetters { current = foldLetter(current) }
        if options.foldDigitsAndCase { current = foldDigitAndCase(current) }
        return current
    }

    /// Whether a (normalized) scalar is a decimal digit of any script (0–9, and ٠–٩ ۰–۹ when step 4 is off), so the
    /// number rule of the tokenizer does not depend on digit folding.
    static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return (0x30...0x39).contains(scalar.value) }
        return scalar.properties.generalCategory == .decimalNumber
    }

    /// Whether a scalar joins two digit groups of one number (٫ ٬); elsewhere it separates tokens.
    static func isNumberSeparator(_ scalar: Unicode.Scalar) -> Bool { S.numberSeparators.contains(scalar) }

    /// Whether a (normalized) scalar is part of a token: letters, marks that survived normalization, and digits.
    /// Everything else — spaces, NBSP, punctuation (« » ، ؛ ؟ # _ @), symbols, control characters, U+FFFD —
    /// separates tokens. Decisions: the underscore separates, so `#جوني_هاليداي` gives the same words as running text;
    /// scalars outside the Basic Multilingual Plane (emoji, historic scripts) separate too — NFKC has already mapped
    /// the mathematical letters and digits there to ASCII.
    static func isTokenScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 {
            let v = scalar.value
            return (0x30...0x39).contains(v) || (0x61...0x7A).contains(v) || (0x41...0x5A).contains(v)
        }
        if scalar == S.replacementCharacter || scalar.value >= 0x1_0000 { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .decimalNumber:
            return true
        default:
            return false
        }
    }
}
