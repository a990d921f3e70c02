import Testing

@testable import ArabicText

/// The whole chain (DESIGN.md steps 1–7): configuration, versions, sentence goldens.
@Suite struct AnalyzerTests {
    struct Golden: Sendable, CustomTestStringConvertible {
        let sentence: String
        let terms: [String]
        var testDescription: String { String(sentence.prefix(30)) }
    }

    /// Sentences written for these tests (not taken from any corpus), with the terms the analyzer must index.
    static let goldens: [Golden] = [
        Golden(
            sentence: "أعلنت وزارةُ الخارجية المصرية، يوم الأحد، أن الوزير سيزور واشنطن في مارس ٢٠٢٤.",
            terms: ["اعلنت", "وزاره", "خارج", "مصر", "يوم", "احد", "وزير", "سيزور", "واشنطن", "مارس", "2024"]),
        Golden(
            sentence: "قال رئيس الوزراء اللبناني إن الحكومة ستعقد جلستها المقبلة في بيروت.",
            terms: ["قال", "رييس", "وزراء", "لبنان", "حكوم", "ستعقد", "جلست", "مقبل", "بيروت"]),
        Golden(
            sentence: "ارتفعت أسعار النفط بنسبة ٣٫٥٪ بعد قرار «أوبك» خفض الإنتاج.",
            terms: ["ارتفعت", "اسعار", "نفط", "بنسب", "قرار", "اوبك", "خفض", "انتاج"]),
        Golden(
            sentence: "فاز المنتخب المغربي على نظيره الإسباني في كأس العالم 2022 بركلات الترجيح.",
            terms: ["فاز", "منتخب", "مغرب", "نظير", "اسبان", "كاس", "عالم", "2022", "بركل", "ترجيح"]),
        Golden(
            sentence: "#عاجل: زلزال بقوة 6.8 درجات يضرب جنوب تركيا — التفاصيل على https://example.com/news/123",
            terms: ["عاجل", "زلزال", "بقو", "درج", "يضرب", "جنوب", "تركيا", "تفاصيل"]),
        Golden(
            sentence: "أكّد الرئيسُ الفرنسيُّ إيمانويل ماكرون دعمَ بلادِه لأوكرانيا.",
            terms: ["اكد", "رييس", "فرنس", "ايمانويل", "ماكرون", "دعم", "بلاد", "لاوكرانيا"]),
        Golden(
            sentence: "وصلت بعثة صندوق النقد الدولي IMF إلى القاهرة لمراجعة برنامج الإصلاح الاقتصادي.",
            terms: ["صلت", "بعث", "صندوق", "نقد", "دول", "imf", "قاهر", "لمراجع", "برنامج", "اصلاح", "اقتصاد"]),
        Golden(
            sentence: "شارك آلاف الطلاب والطالبات في المسابقة الوطنية للقراءة.",
            terms: ["شارك", "الاف", "طلاب", "طالب", "مسابق", "وطن", "قراء"]),
        Golden(
            sentence: "تـــــراجـــــع الـــدولار أمــام الــيــورو فـي الـتـعـامـلات الـمـبـكـرة.",
            terms: ["تراجع", "دولار", "يورو", "تعامل", "مبكر"]),
        Golden(
            sentence: "ﺃﻋﻠﻨﺖ ﺍﻟﺤﻜﻮﻣﺔ ﺍﻟﻌﺮﺍﻗﻴﺔ ﻋﻦ ﺧﻄﺔ ﺟﺪﻳﺪﺓ ﻟﻼﺳﺘﺜﻤﺎﺭ.",
            terms: ["اعلنت", "حكوم", "عراق", "خطه", "جديد", "استثمار"]),
        Golden(
            sentence: "وزیر الخارجیة الإیرانی یلتقی نظیره الترکی فی طهران.",
            terms: ["وزير", "خارج", "ايران", "يلتق", "نظير", "ترك", "طهران"]),
        Golden(
            sentence: "للتواصل: press@example.org أو عبر الهاتف ٠١٢٣٤٥٦٧٨٩.",
            terms: ["تواصل", "هاتف"]),
        Golden(
            sentence: "The NATO summit in Brussels, and the G20 meeting of 2019.",
            terms: ["nato", "summit", "brussels", "g20", "meeting", "2019"]),
        Golden(sentence: "", terms: []),
    ]

    @Test("sentence goldens", arguments: goldens)
    func golden(_ golden: Golden) {
        #expect(Analyzers.standard.terms(golden.sentence) == golden.terms)
        #expect(Analyzers.standard.terms(golden.sentence) == Analyzers.standard.referenceTerms(golden.sentence))
    }

    @Test func oneWordWrittenFiveWaysGivesOneTerm() {
        let spellings = ["الحكومة", "الحُكُومَةُ", "الحـكـومـة", "ﺍﻟﺤﻜﻮﻣﺔ", "ال\u{200C}حكومة"]
        #expect(Set(spellings.flatMap(Analyzers.standard.terms)) == ["حكوم"])
    }

    @Test func streamingAndByteFormsAgree() {
        let text = Self.goldens.map(\.sentence).joined(separator: "\n")
        var streamed = [String]()
        Analyzers.standard.forEachTerm(in: text) { streamed.append($0) }
        var bytes = [String]()
        Analyzers.standard.forEachUTF8Term(in: text) { bytes.append(String(decoding: $0, as: UTF8.self)) }
        #expect(streamed == Analyzers.standard.terms(text))
        #expect(bytes == streamed)
    }

    @Test func queryPathKeepsStopwordsAndDoesNotStem() {
        #expect(Analyzers.standard.normalizedTokens("في الحكومة") == ["في", "الحكومه"])
        #expect(Analyzers.standard.terms("في الحكومة") == ["حكوم"])
    }

    @Test func stopwordsAndStemmingCanBeSwitchedOff() {
        let keepStopwords = Analyzer(.init(removesStopwords: false))
        #expect(keepStopwords.stopwords == nil)
        #expect(keepStopwords.terms("في الحكومة") == ["في", "حكوم"])
        let noStem = Analyzer(.init(stems: false))
        #expect(noStem.stemmer == nil)
        #expect(noStem.terms("في الحكومة") == ["الحكومه"])
    }

    @Test func versionNamesTheConfiguration() {
        #expect(Analyzers.standard.version == "sila-ar/\(Analyzer.rulesRevision) norm=udln stop=on stem=light10")
        let versions = NormalizationOptions.ablations.map { Analyzer(.init(normalization: $0)).version }
            + [Analyzer(.init(removesStopwords: false)).version, Analyzer(.init(stems: false)).version]
        #expect(Set(versions).count == versions.count)
        #expect(Analyzer.rulesRevision >= 2)
        #expect(Analyzers.standard.configuration == .standard)
        #expect(Analyzers.standard.normalizer.options == .all)
    }
}
