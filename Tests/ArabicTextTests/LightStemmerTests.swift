import Testing
import TestSupport

@testable import ArabicText

/// Step 7 (DESIGN.md): the light10-family stemmer, on normalized tokens.
@Suite struct LightStemmerTests {
    /// The analyzer's stemmer, with the shipped protected-words list.
    static let stemmer = Analyzers.standard.stemmer!

    struct Case: Sendable, CustomTestStringConvertible {
        let word: String
        let stem: String
        init(_ word: String, _ stem: String) {
            self.word = word
            self.stem = stem
        }
        var testDescription: String { "\(word) → \(stem)" }
    }

    static let cases: [Case] = [
        // Each prefix.
        Case("الكتاب", "كتاب"), Case("والكتاب", "كتاب"), Case("بالكتاب", "كتاب"), Case("كالكتاب", "كتاب"),
        Case("فالكتاب", "كتاب"), Case("للكتاب", "كتاب"), Case("وكتاب", "كتاب"),
        // Each suffix.
        Case("كتابها", "كتاب"), Case("كتابان", "كتاب"), Case("مدرسات", "مدرس"), Case("معلمون", "معلم"),
        Case("معلمين", "معلم"), Case("كتابيه", "كتاب"), Case("كتابه", "كتاب"), Case("كتابي", "كتاب"),
        // One prefix and one suffix together.
        Case("المعلمون", "معلم"), Case("والمعلمين", "معلم"), Case("الطالبات", "طالب"), Case("للطالبات", "طالب"),
        Case("بالسيارات", "سيار"), Case("والاقتصاديه", "اقتصاد"), Case("الحكومه", "حكوم"), Case("مدرسه", "مدرس"),
        Case("الجامعه", "جامع"), Case("الفلسطينيين", "فلسطيني"), Case("وكتابها", "كتاب"),
        // At most one prefix and one suffix: nothing else is cut.
        Case("والمعلماتها", "معلمات"), Case("ولل", "ولل"),
        // Minimum stem lengths, and falling through to a shorter affix.
        Case("ال", "ال"), Case("الي", "الي"), Case("والي", "الي"), Case("ولد", "ولد"), Case("وله", "وله"),
        Case("بها", "بها"), Case("فيه", "فيه"), Case("علي", "علي"), Case("كتب", "كتب"), Case("ذات", "ذات"),
        Case("بيان", "بي"), Case("لهم", "لهم"), Case("هو", "هو"),
        // Protected words: names whose endings look like suffixes, and words beginning with a root و.
        Case("لبنان", "لبنان"), Case("ولبنان", "لبنان"), Case("البحرين", "بحرين"), Case("بحرين", "بحرين"),
        Case("ايران", "ايران"), Case("وايران", "ايران"), Case("عمان", "عمان"), Case("السودان", "سودان"),
        Case("اليابان", "يابان"), Case("فلسطين", "فلسطين"), Case("بوتين", "بوتين"), Case("ماكرون", "ماكرون"),
        Case("الله", "الله"), Case("رمضان", "رمضان"), Case("حسين", "حسين"), Case("الامارات", "الامارات"),
        Case("وزير", "وزير"), Case("الوزير", "وزير"), Case("والوزير", "وزير"), Case("واشنطن", "واشنطن"),
        Case("الولايات", "ولايات"), Case("وزاره", "وزاره"),
        // Not Arabic, or too short: unchanged.
        Case("nato", "nato"), Case("2018", "2018"), Case("g20", "g20"), Case("iphone", "iphone"), Case("و", "و"),
        Case("", ""), Case("ه", "ه"),
    ]

    @Test("stem table", arguments: cases)
    func stem(_ example: Case) {
        #expect(Self.stemmer.stem(example.word) == example.stem)
    }

    @Test("the byte path equals the scalar reference", arguments: cases)
    func bytePathEqualsReference(_ example: Case) {
        let reference = String(String.UnicodeScalarView(Self.stemmer.stem(scalars: Array(example.word.unicodeScalars))))
        #expect(Self.stemmer.stem(example.word) == reference)
    }

    @Test func withoutProtectedWordsNamesAreCut() {
        let plain = LightStemmer()
        #expect(plain.stem("لبنان") == "لبن")
        #expect(plain.stem("البحرين") == "بحر")
    }

    @Test func lengthsAreConfigurableButNeverBelowTwo() {
        var lengths = LightStemmer.StemLengths()
        lengths.afterConjunction = 2
        lengths.afterShortSuffix = 0
        let eager = LightStemmer(lengths: lengths)
        #expect(eager.stem("ولد") == "لد")
        #expect(eager.stem("له") == "له")
        #expect(eager.stem("كتبه") == "كتب")
    }

    /// No stem is shorter than two letters, for every token of random Arabic-letter soup and of the dev corpus.
    @Test func noStemShorterThanTwoLetters() {
        var generator = SeededGenerator(seed: 11)
        let letters = Array("والبكفلنهياتي".unicodeScalars)
        for _ in 0..<20_000 {
            let length = Int.random(in: 2...7, using: &generator)
            let word = String(String.UnicodeScalarView((0..<length).map { _ in letters.randomElement(using: &generator)! }))
            let stem = Self.stemmer.stem(word)
            #expect(stem.unicodeScalars.count >= 2, "\(word) → \(stem)")
            #expect(word.contains(stem), "a stem is a part of its word")
        }
    }

    @Test(.enabled(if: DevCorpus.isAvailable, "needs ../shared/data/ar-news-dev.jsonl"))
    func noStemShorterThanTwoLettersOnTheDevCorpus() {
        for text in DevCorpus.sample(articles: 500) {
            Analyzers.standard.forEachTerm(in: text) { term in
                #expect(term.unicodeScalars.count >= 2, "\(term)")
            }
        }
    }
}
