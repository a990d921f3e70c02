import Testing

@testable import ArabicText

/// Step 6 (DESIGN.md): stopword lists, normalized at load time, with conjunction-prefixed forms.
@Suite struct StopwordFilterTests {
    static let filter = Analyzers.standard.stopwords!

    @Test(
        "stopwords are removed, written in any spelling",
        arguments: [
            "في", "من", "على", "علي", "إلى", "الى", "أن", "ان", "إن", "الذي", "التي", "التى", "هذه", "هذا", "ذلك", "كان",
            "وفي", "فإن", "ومن", "وهو", "فهي", "بذلك", "لذلك", "كذلك", "بأن", "انه", "إنها", "لأنه", "فيما", "مما",
            "the", "and", "of",
        ])
    func stopword(_ word: String) {
        let token = Tokenizer().tokens(word).first!
        #expect(Self.filter.isStopword(token))
        var bytes = token
        #expect(bytes.withUTF8 { Self.filter.isStopword(utf8: $0) })
    }

    @Test(
        "content words are kept",
        arguments: ["مصر", "رييس", "حكومه", "كتاب", "وزير", "ترامب", "nato", "2018", "والكتاب", "بمصر"])
    func contentWord(_ word: String) {
        #expect(!Self.filter.isStopword(word))
        var bytes = word
        #expect(!bytes.withUTF8 { Self.filter.isStopword(utf8: $0) })
    }

    @Test func listsAreNormalizedWhenLoaded() {
        // The file lists إلى and لكنّ; only their normalized forms can match tokens.
        #expect(Self.filter.words.contains("الي"))
        #expect(Self.filter.words.contains("لكن"))
        #expect(!Self.filter.words.contains("إلى"))
        #expect(Self.filter.words.allSatisfy { Tokenizer(minimumLength: 1, keepsOnlyYearNumbers: false).tokens($0) == [$0] })
    }

    @Test func conjunctionsArePrefixedToArabicWordsOnly() {
        #expect(StopwordFilter.withConjunctions(["في"]) == ["في", "وفي", "ففي"])
        #expect(!Self.filter.words.contains("wthe"))
    }

    @Test func customWords() {
        let filter = StopwordFilter(words: ["كلمه"])
        #expect(filter.isStopword("كلمه"))
        #expect(!filter.isStopword("في"))
    }

    @Test func wordListParsingSkipsCommentsAndBlankLines() {
        #expect(WordList.parse("# comment\n\n في \nمن\n#x") == ["في", "من"])
        for resource in WordList.Resource.allCases { #expect(!WordList.lines(of: resource).isEmpty) }
    }
}
