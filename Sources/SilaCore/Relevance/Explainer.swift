import ArabicText
import Foundation
import Store
import Vectorizer

/// One term two articles share, with its share of their cosine.
public struct SharedTerm: Codable, Hashable, Sendable {
    /// The index term (normalized, stemmed).
    public var term: String
    /// The most common surface word of the term in the two articles (normalized, not stemmed): what an editor reads.
    public var word: String
    /// The term's contribution to the cosine (the product of its two weights).
    public var contribution: Double
}

/// Explains a suggestion: the shared terms that contributed most to the cosine of two articles.
public struct Explainer: Sendable {
    public let model: TFIDFModel
    public let analyzer: Analyzer

    public init(model: TFIDFModel) throws {
        self.init(model: model, analyzer: try model.makeAnalyzer())
    }

    public init(model: TFIDFModel, analyzer: Analyzer) {
        self.model = model
        self.analyzer = analyzer
    }

    /// The `limit` shared terms with the largest contributions, largest first.
    public func explain(_ query: Article, _ candidate: Article, limit: Int = 5) -> [SharedTerm] {
        let a = model.vectorize(analyzer.document(for: query))
        let b = model.vectorize(analyzer.document(for: candidate))
        var contributions = [(UInt32, Double)]()
        var i = 0
        var j = 0
        while i < a.termIDs.count, j < b.termIDs.count {
            if a.termIDs[i] == b.termIDs[j] {
                contributions.append((a.termIDs[i], Double(a.weights[i]) * Double(b.weights[j])))
                i += 1
                j += 1
            } else if a.termIDs[i] < b.termIDs[j] {
                i += 1
            } else {
                j += 1
            }
        }
        contributions.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        let top = contributions.prefix(limit)
        let wanted = Set(top.map { model.terms[Int($0.0)] })
        let surfaces = surfaceWords(of: [query, candidate], terms: wanted)
        return top.map { id, contribution in
            let term = model.terms[Int(id)]
            return SharedTerm(term: term, word: surfaces[term] ?? term, contribution: contribution)
        }
    }

    /// For each wanted term, its most frequent word as written in the articles (punctuation trimmed): what an
    /// editor recognizes, e.g. «طرفاية» rather than the normalized «طرفايه».
    func surfaceWords(of articles: [Article], terms: Set<String>) -> [String: String] {
        var counts = [String: [String: Int]]()
        for article in articles {
            for text in [article.title, article.body] {
                for chunk in text.split(whereSeparator: { $0.isWhitespace }) {
                    let word = chunk.trimmingCharacters(in: CharacterSet.letters.union(.decimalDigits).union(.nonBaseCharacters).inverted)
                    let tokens = analyzer.normalizedTokens(word)
                    guard tokens.count == 1, analyzer.stopwords?.isStopword(tokens[0]) != true else { continue }
                    let term = analyzer.stemmer?.stem(tokens[0]) ?? tokens[0]
                    if terms.contains(term) { counts[term, default: [:]][word, default: 0] += 1 }
                }
            }
        }
        return counts.mapValues { words in
            words.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
        }
    }
}
