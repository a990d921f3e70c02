import Testing

@testable import ArabicText

/// One row of a rule table: a named rule, an input and the normalized tokens expected from it.
struct RuleCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let input: String
    let expected: [String]
    init(_ rule: String, _ input: String, _ expected: [String]) {
        self.rule = rule
        self.input = input
        self.expected = expected
    }
    var testDescription: String { rule }
}

/// Steps 1–4 (DESIGN.md), one row per rule, checked through the tokens they produce.
@Suite struct ArabicNormalizerTests {
    /// A word with a mark inserted between its letters: كت◌اب.
    static func word(with scalar: UInt32) -> String { "كت" + String(scalars: scalar) + "اب" }

    @Test("each tashkeel mark U+064B–U+065F is removed", arguments: 0x064B...0x065F)
    func tashkeelMark(_ mark: UInt32) {
        #expect(normalizedTokens(Self.word(with: UInt32(mark))) == ["كتاب"])
    }

    @Test("each Quranic mark U+06D6–U+06ED is removed", arguments: 0x06D6...0x06ED)
    func quranicMark(_ mark: UInt32) {
        #expect(normalizedTokens(Self.word(with: UInt32(mark))) == ["كتاب"])
    }

    @Test("each honorific mark U+0610–U+061A is removed", arguments: 0x0610...0x061A)
    func honorificMark(_ mark: UInt32) {
        #expect(normalizedTokens(Self.word(with: UInt32(mark))) == ["كتاب"])
    }

    @Test(
        "each invisible format character inside a word is removed",
        arguments: [0x200C, 0x200D, 0x200E, 0x200F, 0x061C, 0xFEFF, 0x00AD, 0x2060] as [UInt32]
            + Array(0x202A...0x202E) + Array(0x2066...0x2069))
    func formatCharacter(_ character: UInt32) {
        #expect(normalizedTokens(Self.word(with: character)) == ["كتاب"])
    }

    static let rules: [RuleCase] = [
        // Step 2: vowelled text, shadda with a vowel, dagger alef, tatweel.
        RuleCase("fully vowelled word", "مُدَرِّسَةٌ", ["مدرسه"]),
        RuleCase("shadda + fatha", "محمَّد", ["محمد"]),
        RuleCase("shadda + kasratan", "محمدٍّ", ["محمد"]),
        RuleCase("shadda + damma", "يُعِدُّ", ["يعد"]),
        RuleCase("tanwin fath on alef", "كتاباً", ["كتابا"]),
        RuleCase("sukun", "قُلْ لهم", ["قل", "لهم"]),
        RuleCase("dagger alef in هٰذا", "هٰذا", ["هذا"]),
        RuleCase("dagger alef in الرحمٰن", "الرحمٰن", ["الرحمن"]),
        RuleCase("Quranic verse with marks", "بِسْمِ ٱللَّهِ ٱلرَّحْمَٰنِ", ["بسم", "الله", "الرحمن"]),
        RuleCase("tatweel inside a word", "كـتـاب", ["كتاب"]),
        RuleCase("long kashida", "مـــصـــر", ["مصر"]),
        RuleCase("tatweel before a word", "ـمصر", ["مصر"]),
        RuleCase("tatweel after a word", "مصرـ", ["مصر"]),
        RuleCase("tatweel alone between words", "مصر ـ لبنان", ["مصر", "لبنان"]),
        RuleCase("tatweel and vowels together", "اَلـعَـرَبِـيّـة", ["العربيه"]),
        // Step 3: letters.
        RuleCase("alef with hamza above أ", "أحمد", ["احمد"]),
        RuleCase("alef with hamza below إ", "إسلام", ["اسلام"]),
        RuleCase("alef with madda آ", "آمن", ["امن"]),
        RuleCase("alef wasla ٱ", "ٱلكتاب", ["الكتاب"]),
        RuleCase("hamza alef inside a word", "مسألة", ["مساله"]),
        RuleCase("decomposed alef + hamza above", "ا" + String(scalars: 0x0654) + "حمد", ["احمد"]),
        RuleCase("alef maksura ى", "على", ["علي"]),
        RuleCase("alef maksura at the end of a noun", "مستشفى", ["مستشفي"]),
        RuleCase("teh marbuta ة", "مدرسة", ["مدرسه"]),
        RuleCase("teh marbuta in a phrase", "القاهرة الجديدة", ["القاهره", "الجديده"]),
        RuleCase("waw with hamza ؤ", "مؤتمر", ["موتمر"]),
        RuleCase("ؤ in رؤية", "رؤية", ["رويه"]),
        RuleCase("yeh with hamza ئ", "رئيس", ["رييس"]),
        RuleCase("ئ at the end", "شاطئ", ["شاطي"]),
        RuleCase("Persian keheh ک", "کتاب", ["كتاب"]),
        RuleCase("Persian yeh ی", "ایران", ["ايران"]),
        RuleCase("keheh and Persian yeh together", "کی", ["كي"]),
        RuleCase("e yeh ې", "بېت", ["بيت"]),
        RuleCase("yeh with tail ۍ", "بۍت", ["بيت"]),
        RuleCase("yeh barree ے", "بے", ["بي"]),
        RuleCase("heh doachashmee ھ", "ھذا", ["هذا"]),
        RuleCase("heh goal ہ", "مدرسہ", ["مدرسه"]),
        RuleCase("heh with yeh above ۀ", "خانۀ", ["خانه"]),
        RuleCase("ae ە", "کوردە", ["كورده"]),
        RuleCase("teh marbuta goal ۃ", "مدرسۃ", ["مدرسه"]),
        // Step 1: presentation forms and ligatures (NFKC).
        RuleCase("lam-alef ligature ﻻ alone", "\u{FEFB}", ["لا"]),
        RuleCase("lam-alef ligature in a word", "ﺍﻟﺴﻼﻡ", ["السلام"]),
        RuleCase("lam-alef with hamza above ﻷ", "\u{FEF7}ن", ["لان"]),
        RuleCase("lam-alef with hamza below ﻹ", "\u{FEF9}يران", ["لايران"]),
        RuleCase("lam-alef with madda ﻵ", "\u{FEF5}خر", ["لاخر"]),
        RuleCase("final lam-alef ﻼ", "س\u{FEFC}م", ["سلام"]),
        RuleCase("presentation forms B word", "ﻣﺼﺮ", ["مصر"]),
        RuleCase("presentation forms with teh marbuta", "ﺍﻟﻌﺮﺑﻴﺔ", ["العربيه"]),
        RuleCase("presentation form of beh", "ﺑﻴﺖ", ["بيت"]),
        RuleCase("presentation form of keheh (forms A)", "\u{FB90}تاب", ["كتاب"]),
        RuleCase("presentation form of alef with hamza", "\u{FE83}سلام", ["اسلام"]),
        RuleCase("ligature of Allah ﷲ", "\u{FDF2}", ["الله"]),
        RuleCase("ligature ﷺ expands to a phrase", "\u{FDFA}", ["صلي", "الله", "عليه", "وسلم"]),
        RuleCase("isolated shadda ligature ﱞ is only marks", "\u{FC5E}", []),
        RuleCase("full-width Latin", "ＮＡＴＯ", ["nato"]),
        RuleCase("superscript digits", "²⁰¹⁸", ["2018"]),
        // Step 4: digits and case.
        RuleCase("Arabic-Indic digits", "٢٠١٨", ["2018"]),
        RuleCase("Eastern Arabic-Indic digits", "۲۰۱۸", ["2018"]),
        RuleCase("Arabic-Indic year in a phrase", "عام ١٩٩٩", ["عام", "1999"]),
        RuleCase("digits glued to a letter are a word", "٢٠١٨م", ["2018م"]),
        RuleCase("upper-case Latin", "NATO", ["nato"]),
        RuleCase("mixed-case Latin", "iPhone", ["iphone"]),
        RuleCase("accented Latin", "ÉCOLE", ["école"]),
        RuleCase("Latin mixed into Arabic", "قمة G20", ["قمه", "g20"]),
        RuleCase("Latin name in guillemets", "«Reuters» أفادت", ["reuters", "افادت"]),
        // No-op and edge rows.
        RuleCase("already normalized", "كتاب", ["كتاب"]),
        RuleCase("empty", "", []),
        RuleCase("spaces only", "  \n\t ", []),
        RuleCase("punctuation only", "«»،؛؟!", []),
    ]

    @Test("rule table", arguments: rules)
    func rule(_ rule: RuleCase) {
        #expect(normalizedTokens(rule.input) == rule.expected)
    }

    @Test func normalizeKeepsSeparators() {
        let normalizer = ArabicNormalizer()
        #expect(normalizer.normalize("أحمدُ، في «القاهرة»") == "احمد، في «القاهره»")
        #expect(normalizer.normalize("") == "")
    }

    // MARK: Each step switched off

    @Test func unicodeCleanupOff() {
        let off = NormalizationOptions(unicodeCleanup: false)
        #expect(normalizedTokens("ﻣﺼﺮ", options: off) == ["ﻣﺼﺮ"])
        #expect(normalizedTokens(Self.word(with: 0x200C), options: off) == ["كت", "اب"])
        #expect(normalizedTokens("ＮＡＴＯ", options: off) != ["nato"])
    }

    @Test func stripDiacriticsOff() {
        let off = NormalizationOptions(stripDiacritics: false)
        #expect(normalizedTokens("كَتَبَ", options: off) == ["كَتَبَ"])
        #expect(normalizedTokens("كـتاب", options: off) == ["كـتاب"])
        #expect(normalizedTokens("هٰذا", options: off) == ["هٰذا"])
    }

    @Test func foldLettersOff() {
        let off = NormalizationOptions(foldLetters: false)
        #expect(normalizedTokens("أحمد إسلام آمن", options: off) == ["أحمد", "إسلام", "آمن"])
        #expect(normalizedTokens("مدرسة على مؤتمر رئيس کتاب", options: off) == ["مدرسة", "على", "مؤتمر", "رئيس", "کتاب"])
    }

    @Test func foldDigitsAndCaseOff() {
        let off = NormalizationOptions(foldDigitsAndCase: false)
        #expect(normalizedTokens("٢٠١٨ NATO", options: off) == ["٢٠١٨", "NATO"])
        // The year rule still applies to unfolded digits: ١٢ is dropped.
        #expect(normalizedTokens("١٢", options: off) == [])
    }

    @Test func everyStepOffKeepsTextAsWritten() {
        let none = NormalizationOptions(
            unicodeCleanup: false, stripDiacritics: false, foldLetters: false, foldDigitsAndCase: false)
        #expect(normalizedTokens("أَحمد", options: none) == ["أَحمد"])
        #expect(none.signature == "----")
        #expect(NormalizationOptions.all.signature == "udln")
    }
}
