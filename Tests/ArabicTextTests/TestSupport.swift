import Foundation
import TestSupport
import Testing

@testable import ArabicText

/// The dev corpus (`../shared/data/ar-news-dev.jsonl`, beside the package), read at test time and never copied into
/// the repository. Tests that need it are disabled with a message when it is absent.
enum DevCorpus {
    static let url = RepositoryFiles.devCorpus

    static var isAvailable: Bool { RepositoryFiles.devCorpusIsAvailable }

    private struct Article: Decodable {
        let title: String?
        let body: String?
    }

    /// Every article's title and body, in corpus order (two texts per article).
    static let texts: [String] = {
        guard let data = try? Data(contentsOf: url) else { return [] }
        let decoder = JSONDecoder()
        return data.split(separator: UInt8(ascii: "\n")).flatMap { line -> [String] in
            guard let article = try? decoder.decode(Article.self, from: line) else { return [] }
            return [article.title ?? "", article.body ?? ""]
        }
    }()

    /// The texts of `count` articles spread evenly over the corpus (title and body joined by a newline).
    static func sample(articles count: Int) -> [String] {
        let articleCount = texts.count / 2
        guard articleCount > 0 else { return [] }
        let stride = max(1, articleCount / count)
        return Swift.stride(from: 0, to: articleCount, by: stride).prefix(count).map {
            texts[2 * $0] + "\n" + texts[2 * $0 + 1]
        }
    }
}

/// Shared analyzers: building one loads the word lists, so tests reuse these.
enum Analyzers {
    static let standard = Analyzer()
    /// Normalization and tokenization only: what the rule tables check.
    static let normalizingOnly = Analyzer(.init(removesStopwords: false, stems: false))
}

/// The normalized tokens of `text` (steps 1–5, no stopwords, no stemming).
func normalizedTokens(_ text: String, options: NormalizationOptions = .all) -> [String] {
    options == .all
        ? Analyzers.normalizingOnly.normalizedTokens(text)
        : Analyzer(.init(normalization: options, removesStopwords: false, stems: false)).normalizedTokens(text)
}

extension String {
    /// Builds a string from scalar values, for invisible and combining characters.
    init(scalars values: UInt32...) {
        self.init(String.UnicodeScalarView(values.compactMap(Unicode.Scalar.init)))
    }
}
