import ArabicText
import Store
import Vectorizer

extension Analyzer {
    /// The analyzer's view of an article: title and body terms, kept apart for the title weight.
    public func document(for article: Article) -> AnalyzedDocument {
        AnalyzedDocument(titleTerms: terms(article.title), bodyTerms: terms(article.body))
    }
}

extension TFIDFModel {
    /// Rebuilds the analyzer this model was fitted with.
    /// - Throws: `CoreError.modelMismatch` when this Sila's analyzer rules differ from the model's.
    public func makeAnalyzer() throws -> Analyzer {
        let analyzer = Analyzer(analyzerConfiguration)
        guard analyzer.version == analyzerVersion else {
            throw CoreError.modelMismatch(
                "model \(name) (\(id)) was fitted with analyzer '\(analyzerVersion)' but this Sila analyzes with "
                    + "'\(analyzer.version)'; run `sila index --refit`")
        }
        return analyzer
    }
}

/// The version string of this Sila's default analyzer.
public func currentAnalyzerVersion() -> String { Analyzer().version }
