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
    public static let rulesRevision = 1

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
        tokenizer.forEachToken(in: text) { token in
            if let stopwords, stopwords.isStopword(token) { return }
            if let stemmer {
                body(stemmer.stem(token))
            } else {
                body(token)
            }
        }
    }

    /// Query-side path: normalized tokens without stopword removal or stemming — for showing words to people
    /// (explanations) and for matching exact spellings.
    public func normalizedTokens(_ text: String) -> [String] {
        tokenizer.tokens(text)
    }
}
