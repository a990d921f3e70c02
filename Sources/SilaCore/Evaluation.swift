import Foundation
import Store
import Vectorizer

/// The quality harness of `sila eval`: metrics of stored related lists against a labelled corpus.
///
/// Labels come from the corpus file itself: `category`, `story` (same-story cluster id, or null) and `source`.
/// - cat P@10: mean fraction of the 10 neighbours sharing the query's category;
/// - story R@10 / R@3: for articles whose story has ≥ 2 members, mean fraction of the other members in the top 10 / 3;
/// - story MRR@10: mean of 1/rank of the first fellow member in the top 10 (0 if none);
/// - cross-source story R@10: story R@10 restricted to fellow members from another source;
/// - duplicate rate: share of lists holding two items whose mutual cosine is ≥ 0.9.
public struct EvaluationMetrics: Codable, Sendable, Equatable {
    public var articles = 0
    public var categoryPrecisionAt10 = 0.0
    public var storyArticles = 0
    public var storyRecallAt10 = 0.0
    public var storyRecallAt3 = 0.0
    public var storyMRRAt10 = 0.0
    public var crossSourceArticles = 0
    public var crossSourceRecallAt10 = 0.0
    public var duplicateRate = 0.0

    enum CodingKeys: String, CodingKey {
        case articles, storyArticles = "story_articles", crossSourceArticles = "cross_source_articles"
        case categoryPrecisionAt10 = "cat_p10", storyRecallAt10 = "story_r10", storyRecallAt3 = "story_r3"
        case storyMRRAt10 = "story_mrr10", crossSourceRecallAt10 = "cross_source_r10", duplicateRate = "duplicate_rate"
    }
}

/// The labels of one article.
public struct ArticleLabels: Sendable {
    public var category: String?
    public var story: String?
    public var source: String?
}

public enum Evaluation {
    /// Reads `category`, `story` and `source` of every record of a JSONL corpus, by id.
    public static func labels(fromJSONL path: String) throws -> [String: ArticleLabels] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CoreError.cannotReadInput(path: path, reason: "no such file")
        }
        defer { try? handle.close() }
        var labels = [String: ArticleLabels]()
        try LineReader(handle: handle).forEachLine { _, line in
            guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
                let id = object["id"] as? String
            else { return }
            labels[id] = ArticleLabels(
                category: object["category"] as? String, story: object["story"] as? String, source: object["source"] as? String)
        }
        return labels
    }

    /// Metrics of `lists` (article id → ranked related ids) against `labels`; `cosine` gives the cosine of two
    /// articles for the duplicate rate.
    public static func metrics(
        lists: [String: [String]], labels: [String: ArticleLabels], cosine: (String, String) -> Double
    ) -> EvaluationMetrics {
        var members = [String: [String]]()
        for (id, label) in labels { if let story = label.story { members[story, default: []].append(id) } }
        var m = EvaluationMetrics()
        var catSum = 0.0, r10 = 0.0, r3 = 0.0, mrr = 0.0, cross = 0.0
        var duplicates = 0
        for (id, label) in labels {
            let list = Array((lists[id] ?? []).prefix(10))
            m.articles += 1
            if let category = label.category {
                catSum += Double(list.filter { labels[$0]?.category == category }.count) / 10
            }
            if hasDuplicatePair(list, cosine: cosine) { duplicates += 1 }
            guard let story = label.story, let fellows = members[story]?.filter({ $0 != id }), !fellows.isEmpty else { continue }
            let fellowSet = Set(fellows)
            m.storyArticles += 1
            r10 += Double(list.filter(fellowSet.contains).count) / Double(fellows.count)
            r3 += Double(list.prefix(3).filter(fellowSet.contains).count) / Double(fellows.count)
            if let rank = list.firstIndex(where: fellowSet.contains) { mrr += 1 / Double(rank + 1) }
            let otherSource = fellows.filter { labels[$0]?.source != label.source }
            if !otherSource.isEmpty {
                m.crossSourceArticles += 1
                cross += Double(list.filter(Set(otherSource).contains).count) / Double(otherSource.count)
            }
        }
        m.categoryPrecisionAt10 = m.articles > 0 ? catSum / Double(m.articles) : 0
        m.duplicateRate = m.articles > 0 ? Double(duplicates) / Double(m.articles) : 0
        if m.storyArticles > 0 {
            m.storyRecallAt10 = r10 / Double(m.storyArticles)
            m.storyRecallAt3 = r3 / Double(m.storyArticles)
            m.storyMRRAt10 = mrr / Double(m.storyArticles)
        }
        if m.crossSourceArticles > 0 { m.crossSourceRecallAt10 = cross / Double(m.crossSourceArticles) }
        return m
    }

    static func hasDuplicatePair(_ list: [String], cosine: (String, String) -> Double) -> Bool {
        for i in list.indices {
            for j in list.indices where j > i && cosine(list[i], list[j]) >= 0.9 { return true }
        }
        return false
    }

    /// Ingests `corpus` into a temporary database, indexes it with `options` and measures the stored lists.
    public static func run(corpus: String, options: IndexOptions, workDirectory: URL) throws -> (EvaluationMetrics, IndexReport) {
        let path = workDirectory.appendingPathComponent("eval-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try SilaStore.open(path: path, createIfMissing: true)
        _ = try Ingestor(store: store).ingest(paths: [corpus], format: .jsonl)
        var indexOptions = options
        indexOptions.modelsDirectory = nil
        let report = try Indexer(store: store).run(indexOptions)
        var lists = [String: [String]]()
        try store.forEachRelatedList { id, entries in lists[id] = entries.map(\.id) }
        var vectors = [String: SparseVector]()
        for stored in try store.loadVectors(modelID: report.modelID) { vectors[stored.articleID] = stored.vector }
        let labels = try labels(fromJSONL: corpus)
        let metrics = metrics(lists: lists, labels: labels) { a, b in
            guard let x = vectors[a], let y = vectors[b] else { return 0 }
            return Double(x.dot(y))
        }
        try store.close()
        return (metrics, report)
    }
}
