import Foundation
import TestSupport
import Testing

@testable import ArabicText

/// Step 5 (DESIGN.md): token boundaries, links, numbers, and input robustness.
@Suite struct TokenizerTests {
    static let rules: [RuleCase] = [
        // Punctuation separates.
        RuleCase("guillemets « »", "«مصر»", ["مصر"]),
        RuleCase("Arabic comma, semicolon, question mark", "مصر، لبنان؛ سوريا؟", ["مصر", "لبنان", "سوريا"]),
        RuleCase("parentheses", "(القاهرة)", ["القاهره"]),
        RuleCase("ASCII quotes", "\"مصر\"", ["مصر"]),
        RuleCase("hyphen", "مصر-لبنان", ["مصر", "لبنان"]),
        RuleCase("slash", "مصر/لبنان", ["مصر", "لبنان"]),
        RuleCase("full stop and exclamation", "انتهى. حقا!", ["انتهي", "حقا"]),
        RuleCase("Arabic full stop ۔", "انتهى۔ حقا", ["انتهي", "حقا"]),
        RuleCase("Arabic percent sign ٪", "٥٠٪ من", ["من"]),
        RuleCase("star of ayah ۞ is a removed mark, not a separator", "مصر۞", ["مصر"]),
        // Hashtags and mentions.
        RuleCase("hashtag", "#مصر", ["مصر"]),
        RuleCase("hashtag with underscore", "#جوني_هاليداي", ["جوني", "هاليداي"]),
        RuleCase("hashtag of two names", "#لورا_سميت تقول", ["لورا", "سميت", "تقول"]),
        RuleCase("Latin hashtag", "#Egypt", ["egypt"]),
        RuleCase("mention without a domain is a word", "@handle", ["handle"]),
        // Links and e-mail addresses.
        RuleCase("https URL", "https://www.example.com/path?q=1", []),
        RuleCase("URL between Arabic words", "زوروا http://aljazeera.net/news اليوم", ["زوروا", "اليوم"]),
        RuleCase("bare www address", "www.bbc.com", []),
        RuleCase("upper-case WWW address", "WWW.BBC.COM", []),
        RuleCase("www address in parentheses", "(www.bbc.com)", []),
        RuleCase("e-mail address", "info@example.com", []),
        RuleCase("e-mail before a full stop", "راسلونا على info@site.org.", ["راسلونا", "علي"]),
        RuleCase("URL glued to an Arabic word", "المصدر:https://x.com", ["المصدر"]),
        RuleCase("ftp URL", "ftp://files.example.net/a.zip", []),
        RuleCase("at sign without a dot is not an e-mail", "user@host", ["user", "host"]),
        RuleCase("a word containing www is not a link", "awwwards.com", ["awwwards", "com"]),
        // Numbers.
        RuleCase("4-digit year kept", "2018", ["2018"]),
        RuleCase("2-digit number dropped", "12", []),
        RuleCase("3-digit number dropped", "123", []),
        RuleCase("5-digit number dropped", "12345", []),
        RuleCase("year in a sentence", "في عام 2018 فاز", ["في", "عام", "2018", "فاز"]),
        RuleCase("ASCII decimal comma splits and drops", "106,78", []),
        RuleCase("ASCII thousands commas", "1,500,000", []),
        RuleCase("dotted date keeps its year", "15.02.2018", ["2018"]),
        RuleCase("slashed date keeps its year", "15/2/2018", ["2018"]),
        RuleCase("Arabic decimal separator ٫ joins one number", "٣٫٥", []),
        RuleCase("Arabic thousands separator ٬ joins one number", "١٬٠٠٠", []),
        RuleCase("٫ never leaves a fake year", "٣٫١٤١٥", []),
        RuleCase("٬ never leaves a fake year", "٢٬٠١٨٬٥٠٠", []),
        RuleCase("trailing ٫ separates", "٢٠١٨٫", ["2018"]),
        RuleCase("leading ٫ separates", "٫٢٠١٨", ["2018"]),
        RuleCase("٫ between letters separates", "مصر٫لبنان", ["مصر", "لبنان"]),
        RuleCase("٫ after a mixed token separates", "g20٫5", ["g20"]),
        RuleCase("number with ٫ in a sentence", "النسبة ٣٫٥ بالمئة", ["النسبه", "بالميه"]),
        RuleCase("mixed letters and digits are a word", "COVID-19", ["covid"]),
        RuleCase("digits and letters glued", "covid19", ["covid19"]),
        // One-letter tokens.
        RuleCase("one Arabic letter dropped", "و", []),
        RuleCase("one Latin letter dropped", "a", []),
        RuleCase("several one-letter tokens", "x y z ب", []),
        RuleCase("two letters kept", "لا", ["لا"]),
        // Separators of every kind.
        RuleCase("control character acts as a space", "مصر\u{0007}لبنان", ["مصر", "لبنان"]),
        RuleCase("NUL acts as a space", "مصر\u{0000}لبنان", ["مصر", "لبنان"]),
        RuleCase("tab", "مصر\tلبنان", ["مصر", "لبنان"]),
        RuleCase("CRLF", "مصر\r\nلبنان", ["مصر", "لبنان"]),
        RuleCase("next line U+0085", "مصر\u{0085}لبنان", ["مصر", "لبنان"]),
        RuleCase("line separator U+2028", "مصر\u{2028}لبنان", ["مصر", "لبنان"]),
        RuleCase("NBSP", "مصر\u{00A0}لبنان", ["مصر", "لبنان"]),
        RuleCase("narrow NBSP", "مصر\u{202F}لبنان", ["مصر", "لبنان"]),
        RuleCase("ideographic space", "مصر\u{3000}لبنان", ["مصر", "لبنان"]),
        RuleCase("replacement character", "مصر\u{FFFD}لبنان", ["مصر", "لبنان"]),
        RuleCase("emoji", "مصر😀لبنان", ["مصر", "لبنان"]),
    ]

    @Test("rule table", arguments: rules)
    func rule(_ rule: RuleCase) {
        #expect(normalizedTokens(rule.input) == rule.expected)
    }

    @Test func numbersAreKeptWhenAskedTo() {
        let tokenizer = Tokenizer(keepsOnlyYearNumbers: false)
        #expect(tokenizer.tokens("٣٫٥ و ١٢ و 2018") == ["3٫5", "12", "2018"])
    }

    @Test func minimumLengthIsConfigurable() {
        #expect(Tokenizer(minimumLength: 1).tokens("و ب مصر") == ["و", "ب", "مصر"])
        #expect(Tokenizer(minimumLength: 4).tokens("مصر لبنان") == ["لبنان"])
    }

    @Test func utf8TokensCarryTheirScalarCount() {
        var seen = [(String, Int)]()
        Tokenizer().forEachUTF8Token(in: "مصر nato") { seen.append((String(decoding: $0.utf8, as: UTF8.self), $0.scalarCount)) }
        #expect(seen.map(\.0) == ["مصر", "nato"])
        #expect(seen.map(\.1) == [3, 4])
    }

    // MARK: Input robustness

    @Test func invalidUTF8IsRepairedAndDropped() {
        var bytes = Array("مصر".utf8)
        bytes += [0xFF, 0xC3, 0x28, 0xE2, 0x82]  // invalid and truncated sequences
        bytes += Array("لبنان".utf8)
        bytes += [0xD8]  // a lone lead byte at the end
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.unicodeScalars.contains(ArabicScalars.replacementCharacter))
        let tokens = normalizedTokens(text)
        #expect(tokens == ["مصر", "لبنان"])
        #expect(!tokens.joined().unicodeScalars.contains(ArabicScalars.replacementCharacter))
    }

    @Test func everyControlCharacterSeparates() {
        for value in Array(0x00...0x1F) + Array(0x7F...0x9F) {
            let text = "مصر" + String(scalars: UInt32(value)) + "لبنان"
            #expect(normalizedTokens(text) == ["مصر", "لبنان"], "U+\(String(value, radix: 16))")
        }
    }

    @Test func emptyInputGivesNoTokens() {
        #expect(Tokenizer().tokens("").isEmpty)
        #expect(Analyzers.standard.terms("").isEmpty)
        #expect(Analyzers.standard.terms(String(decoding: [UInt8](), as: UTF8.self)).isEmpty)
    }

    @Test func aVeryLongWordIsOneToken() {
        let word = String(repeating: "ب", count: 100_000)
        #expect(Tokenizer().tokens(word) == [word])
    }

    /// A ~50 MB article is analyzed in one linear pass: the token count is exactly the paragraph's times the
    /// repetitions (the test asserts counts, not time; a quadratic path would not finish).
    @Test func fiftyMegabyteArticle() {
        let paragraph = "أكدت الحكومةُ المصرية في بيانٍ رسمي عام ٢٠١٨ أن «قمة G20» ستعقد في القاهرة، "
            + "ـ راجعوا https://example.com/x أو info@example.com #جوني_هاليداي ﻻ ١٢٫٥ مليون\u{200C}ـدولار. "
        let paragraphTerms = Analyzers.standard.terms(paragraph).count
        let repetitions = 50_000_000 / paragraph.utf8.count
        let article = String(repeating: paragraph, count: repetitions)
        #expect(article.utf8.count > 49_000_000)
        var count = 0
        Analyzers.standard.forEachUTF8Term(in: article) { _ in count += 1 }
        #expect(paragraphTerms > 10)
        #expect(count == paragraphTerms * repetitions)
    }

    // MARK: The fused pass equals the readable reference

    @Test func fusedPassEqualsReferenceOnRuleTables() {
        let tokenizer = Tokenizer()
        for rule in Self.rules + ArabicNormalizerTests.rules {
            #expect(tokenizer.tokens(rule.input) == tokenizer.referenceTokens(rule.input), "\(rule.rule)")
        }
    }

    @Test(
        "fused pass equals the reference on random scalar soup",
        arguments: NormalizationOptions.ablations)
    func fusedPassEqualsReferenceOnRandomText(_ options: NormalizationOptions) {
        var generator = SeededGenerator(seed: 7)
        let alphabet: [UInt32] = Array(0x0621...0x064A) + Array(0x064B...0x0670) + Array(0x06D6...0x06ED)
            + [0x0640, 0x200C, 0x200D, 0x066B, 0x066C, 0x0660, 0x0665, 0x06F5, 0xFEFB, 0xFDFA, 0xFC5E, 0xFE8D]
            + [0x20, 0x2C, 0x2E, 0x3A, 0x2F, 0x40, 0x77, 0x41, 0x31, 0x32, 0x0A, 0xA0, 0xFFFD, 0x1F600, 0x1D400]
        let tokenizer = Tokenizer(normalizer: ArabicNormalizer(options: options))
        for _ in 0..<2_000 {
            let length = Int.random(in: 0..<40, using: &generator)
            let text = String(scalars: [UInt32](unsafeUninitializedCapacity: length) { buffer, count in
                for index in 0..<length { buffer[index] = alphabet.randomElement(using: &generator)! }
                count = length
            })
            #expect(tokenizer.tokens(text) == tokenizer.referenceTokens(text), "\(Array(text.unicodeScalars))")
        }
    }
}

extension NormalizationOptions: CustomTestStringConvertible {
    /// All steps on, then each step switched off in turn.
    static let ablations: [NormalizationOptions] = [
        .all,
        NormalizationOptions(unicodeCleanup: false),
        NormalizationOptions(stripDiacritics: false),
        NormalizationOptions(foldLetters: false),
        NormalizationOptions(foldDigitsAndCase: false),
    ]
    public var testDescription: String { "norm=\(signature)" }
}

extension String {
    init(scalars values: [UInt32]) {
        self.init(String.UnicodeScalarView(values.compactMap(Unicode.Scalar.init)))
    }
}
