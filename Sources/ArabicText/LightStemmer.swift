/// A light stemmer for Arabic: strips at most one prefix and at most one suffix, nothing else.
///
/// Source: L. S. Larkey, L. Ballesteros, M. E. Connell, "Light Stemming for Arabic Information Retrieval", in
/// *Arabic Computational Morphology*, Springer 2007 (the "light10" stemmer), which showed that removing a few
/// frequent affixes beats root extraction for retrieval. Sila's variant, on text already normalized (ة → ه,
/// أ إ آ → ا, ى → ي):
/// - prefixes, longest first: وال بال كال فال لل ال, then و — at most one;
/// - suffixes, longest first: ها ان ات ون ين يه ه ي — at most one;
/// - minimum stem lengths are explicit (`StemLengths`), so no stem is shorter than two letters;
/// - protected words (proper names whose endings look like suffixes: لبنان, البحرين) are never cut.
public struct LightStemmer: Sendable {
    /// The fewest letters a stem may keep after each kind of cut.
    public struct StemLengths: Hashable, Sendable {
        /// After a definite-article prefix (ال and its combinations): at least 2 letters remain (الي → keeps الي).
        public var afterArticle = 2
        /// After the conjunction و alone: at least 3 letters remain, since many short words begin with و.
        public var afterConjunction = 3
        /// After a two-letter suffix: at least 2 letters remain.
        public var afterLongSuffix = 2
        /// After a one-letter suffix (ه, ي): at least 3 letters remain, since short words often end in them.
        public var afterShortSuffix = 3
        public init() {}
    }

    public let lengths: StemLengths
    public let protectedWords: Set<String>

    private static let articlePrefixes = ["وال", "بال", "كال", "فال", "لل", "ال"].map(Affix.init)
    private static let conjunctionPrefix = Affix("و")
    private static let suffixes = ["ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"].map(Affix.init)

    public init(protectedWords: Set<String> = [], lengths: StemLengths = StemLengths()) {
        self.protectedWords = protectedWords
        self.lengths = lengths
    }

    /// The stem of a normalized token; tokens that are not Arabic, too short or protected come back unchanged.
    public func stem(_ token: String) -> String {
        if protectedWords.contains(token) { return token }
        var utf8 = Array(token.utf8)
        let letterCount = token.unicodeScalars.count
        var letters = letterCount

        if let prefix = Self.articlePrefixes.first(where: { utf8.starts(with: $0.utf8) }),
            letters - prefix.letters >= lengths.afterArticle
        {
            utf8.removeFirst(prefix.utf8.count)
            letters -= prefix.letters
        } else if utf8.starts(with: Self.conjunctionPrefix.utf8), letters - 1 >= lengths.afterConjunction {
            utf8.removeFirst(Self.conjunctionPrefix.utf8.count)
            letters -= 1
        }
        if letters != letterCount, protectedWords.contains(String(decoding: utf8, as: UTF8.self)) {
            return String(decoding: utf8, as: UTF8.self)
        }
        if let suffix = Self.suffixes.first(where: { utf8.ends(with: $0.utf8) }) {
            let minimum = suffix.letters == 1 ? lengths.afterShortSuffix : lengths.afterLongSuffix
            if letters - suffix.letters >= minimum {
                utf8.removeLast(suffix.utf8.count)
                letters -= suffix.letters
            }
        }
        return letters == letterCount ? token : String(decoding: utf8, as: UTF8.self)
    }
}

/// An affix as UTF-8 bytes with its letter count, so matching never re-decodes the token.
private struct Affix: Sendable {
    let utf8: [UInt8]
    let letters: Int
    init(_ text: String) {
        utf8 = Array(text.utf8)
        letters = text.unicodeScalars.count
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}
