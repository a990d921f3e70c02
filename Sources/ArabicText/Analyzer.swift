/// The analysis chain of DESIGN.md, declared in one place and in pipeline order:
///
///     normalize (steps 1–4) → tokenize (step 5) → drop stopwords (step 6) → light stem (step 7)
///
/// Order trap: stopwords are matched *after* normalization and *before* stemming, and the stopword list itself is
/// normalized with this analyzer's normalizer when it is loaded (see `WordList`).
///
/// `version` names the configuration; a model records it and Sila refuses to mix vectors of two versions.
public struct Analyzer: Sendable {
    /// The switches of the chain; every configuration has its own version string.
    public struct Configuration: Hashable, Sendable, Codable {
        public var normalization: NormalizationOptions
        public var removesStopwords: Bool
        public var stems: Bool

        public init(normalization: NormalizationOptions = .all, removesStopwords: Bool = true, stems: Bool = true) {
            self.normalization = normalization
            self.removesStopwords = removesStopwords
            self.stems = stems
        }

        /// Sila's default chain: every step on.
        public static let standard = Configuration()
    }

    /// Bumped whenever a rule, a list or the tokenizer changes what tokens come out.
    /// 2: per-scalar NFKC, number separators ٫ ٬ join numbers, link runs end at non-ASCII, longer stopword and
    ///    protected lists, affix rules fall through to a shorter affix when the longer one would cut too much.
    public static let rulesRevision = 2

    public let configuration: Configuration
    public let tokenizer: Tokenizer
    public let stopwords: StopwordFilter?
    public let stemmer: LightStemmer?

    public init(_ configuration: Configuration = .standard) {
        self.configuration = configuration
        let normalizer = ArabicNormalizer(options: configuration.normalization)
        tokenizer = Tokenizer(normalizer: normalizer)
        stopwords = configuration.removesStopwords ? StopwordFilter(normalizer: normalizer) : nil
        stemmer =
            configuration.stems
            ? LightStemmer(protectedWords: WordList.normalizedSet(WordList.lines(of: .protectedWords), normalizer: normalizer))
            : nil
    }

    /// E.g. `sila-ar/1 norm=udln stop=on stem=light10`.
    public var version: String {
        "sila-ar/\(Self.rulesRevision) norm=\(configuration.normalization.signature)"
            + " stop=\(configuration.removesStopwords ? "on" : "off")"
            + " stem=\(configuration.stems ? "light10" : "off")"
    }

    public var normalizer: ArabicNormalizer { tokenizer.normalizer }

    /// Document path: the index terms of `text`, in order (duplicates kept, for term counts).
    public func terms(_ text: String) -> [String] {
        var result = [String]()
        forEachTerm(in: text) { result.append($0) }
        return result
    }

    /// Document path, streaming: calls `body` with each index term of `text`, in order.
    public func forEachTerm(in text: String, _ body: (String) -> Void) {
        forEachUTF8Term(in: text) { body(String(decoding: $0, as: UTF8.self)) }
    }

    /// Document path without allocation: calls `body` with each index term of `text` as UTF-8 bytes that are valid
    /// only during the call (hash or copy them there), in order.
    public func forEachUTF8Term(in text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        // The filters are bound once per text as pointer views: reading them through `self` inside the per-token
        // closure made the optimizer copy (and retain) them once per token.
        let stopwords = self.stopwords?.index ?? .empty
        let stemmer = self.stemmer ?? .identity
        stopwords.withUnsafeView { stopwords in
            stemmer.withUnsafeView { stemmer in
                tokenizer.forEachUTF8Token(in: text) { token in
                    if stopwords.contains(token.utf8) { return }
                    let range = stemmer.stemmedRange(of: token.utf8, scalarCount: token.scalarCount)
                    body(UnsafeBufferPointer(rebasing: token.utf8[range]))
                }
            }
        }
    }

    /// The readable reference for `terms(_:)`, one small step after another on `String`s and scalars; tests hold
    /// the fused path equal to it on the dev corpus.
    func referenceTerms(_ text: String) -> [String] {
        tokenizer.referenceTokens(text)
            .filter { stopwords?.isStopword($0) != true }
            .map { token in
                guard let stemmer else { return token }
                var view = String.UnicodeScalarView()
                view.append(contentsOf: stemmer.stem(scalars: Array(token.unicodeScalars)))
                return String(view)
            }
    }

    /// Query-side path: normalized tokens without stopword removal or stemming — for showing words to people
    /// (explanations) and for matching exact spellings.
    public func normalizedTokens(_ text: String) -> [String] {
        tokenizer.tokens(text)
    }
}
