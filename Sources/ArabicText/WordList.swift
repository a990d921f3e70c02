import Foundation

/// A list of words shipped as a resource file (stopwords, protected words), normalized on load.
///
/// Normalizing at load time is the one order trap of the pipeline: the analyzer compares *normalized* tokens, so a
/// list written with أ or ة must go through the same normalizer or it would silently match nothing.
public enum WordList {
    /// The resource files shipped with the analyzer.
    public enum Resource: String, Sendable, CaseIterable {
        case arabicStopwords = "stopwords-ar"
        case englishStopwords = "stopwords-en"
        case protectedWords = "protected-words"
    }

    /// The raw lines of a resource (comments and blank lines removed).
    public static func lines(of resource: Resource) -> [String] {
        guard let url = Bundle.module.url(forResource: resource.rawValue, withExtension: "txt", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: resource.rawValue, withExtension: "txt"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            preconditionFailure("ArabicText resource \(resource.rawValue).txt is missing from the bundle")
        }
        return parse(text)
    }

    /// Lines of a word-list text, without comments (`#`) and blank lines.
    static func parse(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// The normalized single-token forms of `words`; entries that normalize to several tokens are skipped.
    static func normalizedSet(_ words: [String], normalizer: ArabicNormalizer) -> Set<String> {
        let tokenizer = Tokenizer(normalizer: normalizer, minimumLength: 1, keepsOnlyYearNumbers: false)
        var result = Set<String>()
        for word in words {
            let tokens = tokenizer.tokens(word)
            if tokens.count == 1 { result.insert(tokens[0]) }
        }
        return result
    }
}
