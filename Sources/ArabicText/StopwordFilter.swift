/// Removes function words (DESIGN.md step 6), matched on normalized tokens, before stemming.
///
/// The shipped lists are `stopwords-ar.txt` and `stopwords-en.txt`, normalized with the analyzer's own normalizer
/// when loaded (the order trap: a list written with أ or ة must match tokens that were folded to ا and ه).
/// Arabic entries also match with a leading conjunction و or ف (وفي, فإن), added at load time; forms with the
/// clitics ب ل ك (بذلك, لذلك, كذلك) are listed in the file where they are common.
public struct StopwordFilter: Sendable {
    /// The conjunctions that may precede any Arabic stopword.
    static let conjunctions = ["و", "ف"]

    public let words: Set<String>
    /// The same words, for allocation-free lookups by UTF-8 bytes.
    let index: ByteWordSet

    /// The shipped Arabic and English lists, normalized with `normalizer`.
    public init(normalizer: ArabicNormalizer) {
        let arabic = WordList.normalizedSet(WordList.lines(of: .arabicStopwords), normalizer: normalizer)
        let english = WordList.normalizedSet(WordList.lines(of: .englishStopwords), normalizer: normalizer)
        self.init(words: Self.withConjunctions(arabic).union(english))
    }

    public init(words: Set<String>) {
        self.words = words
        self.index = ByteWordSet(words)
    }

    /// Each word, and each word with و or ف in front of it.
    static func withConjunctions(_ words: Set<String>) -> Set<String> {
        var result = words
        for word in words {
            for conjunction in conjunctions { result.insert(conjunction + word) }
        }
        return result
    }

    public func isStopword(_ token: String) -> Bool { words.contains(token) }

    /// Whether a token, as UTF-8 bytes, is a stopword (no allocation).
    @inline(__always)
    public func isStopword(utf8 token: UnsafeBufferPointer<UInt8>) -> Bool {
        index.withUnsafeView { $0.contains(token) }
    }
}
