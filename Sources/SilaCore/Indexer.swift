import ArabicText
import Foundation
import Similarity
import Store
import Vectorizer

/// The batch recompute: fit or load the model, vectorize what changed, compute every article's exact top-k and
/// swap the new lists in.
public struct Indexer: Sendable {
    public let store: SilaStore

    public init(store: SilaStore) {
        self.store = store
    }

    /// - Parameter aroundSwap: runs the final swap transaction; a server passes one that holds its own writes back
    ///   and reloads its live index before letting them go on.
    public func run(
        _ options: IndexOptions, progress: @escaping @Sendable (IndexProgress) -> Void = { _ in },
        aroundSwap: (_ swap: () throws -> Void) throws -> Void = { try $0() }
    ) throws -> IndexReport {
        if let problem = options.parameters.problem ?? options.effectiveRelevance.problem {
            throw CoreError.invalidOption(problem)
        }
        guard options.k >= 1, options.k <= 1000 else { throw CoreError.invalidOption("k must be between 1 and 1000, got \(options.k)") }
        var report = IndexReport()
        var clock = PhaseClock()

        let (model, refitted) = try resolveModel(options, progress: progress)
        report.refitted = refitted
        report.modelID = model.id
        report.modelName = model.name
        report.vocabularySize = model.vocabularySize
        // The file first: when it cannot be written (a foreign file has the name), the database keeps its model.
        if let directory = options.modelsDirectory, refitted || !FileManager.default.fileExists(atPath: modelURL(directory, model.name).path) {
            try model.save(to: modelURL(directory, model.name))
            report.modelFile = modelURL(directory, model.name).path
        }
        try store.saveCurrentModel(model)
        report.phases.append((refitted ? "fit model" : "load model", clock.lap()))

        report.vectorized = try vectorizeMissing(model: model, threads: options.threads, progress: progress)
        report.phases.append(("vectorize", clock.lap()))

        // Live writes after this mark are folded in at the swap (`reconcile`); the ones before are in the vectors.
        let mark = try store.changeMark()
        let vectors = try store.loadVectors(modelID: model.id)
        report.articles = vectors.count
        report.zeroVectors = vectors.reduce(0) { $0 + ($1.vector.isZero ? 1 : 0) }
        var configuration = options.search
        configuration.threads = options.threads
        var index = SimilarityIndex(vocabularySize: model.vocabularySize, configuration: configuration)
        for stored in vectors {
            index.add(stored.vector, key: TieKey(publishedAt: stored.publishedAt.flatMap(ISODate.epochSeconds), id: stored.articleID))
        }
        report.phases.append(("load index", clock.lap()))

        let total = vectors.count
        let builder = RelatedListBuilder(relevance: options.effectiveRelevance, k: options.k)
        let results = index.searchAll(k: builder.poolSize) { done in
            progress(IndexProgress(phase: "similarity", done: done, total: total))
        }
        report.phases.append(("similarity", clock.lap()))

        let categoriesByID = builder.relevance.categoryBoost > 0 ? try store.categories() : [:]
        var categories = (0..<index.rowCount).map { categoriesByID[index.tieKey(ofRow: Int32($0)).id] }
        let settings = ListSettings(k: options.k, relevance: builder.relevance)
        let settingsJSON = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        // The stamp tells a running server that another process swapped the lists (it reloads).
        let swapSettings = [ListSettings.settingKey: settingsJSON, SilaStore.listsStampKey: UUID().uuidString]
        var thresholds = ListThresholds(builder: builder, rowCount: index.rowCount)
        let writeLists: ((String, [RelatedEntry], PoolBound) throws -> Void) throws -> Void = { write in
            // Re-ranking is CPU work: done on every core, a chunk of rows at a time so memory stays bounded.
            let index = index
            let categories = categories
            for chunkStart in stride(from: 0, to: results.queryCount, by: 8192) {
                let rows = Array(chunkStart..<min(results.queryCount, chunkStart + 8192))
                let lists = rows.parallelMap(threads: options.threads) { row in
                    let matches = results.matches(ofQuery: row)
                    let entries = builder.list(
                        from: matches, queryVector: vectors[row].vector,
                        queryDate: index.tieKey(ofRow: Int32(row)).publishedAt, queryCategory: categories[row], index: index,
                        categories: categories)
                    return (entries, builder.poolBound(of: matches, list: entries, index: index))
                }
                for (row, (entries, pool)) in zip(rows, lists) {
                    thresholds.set(row: Int32(row), list: entries, pool: pool)
                    try write(index.tieKey(ofRow: Int32(row)).id, entries, pool)
                }
            }
        }
        try store.replaceAllRelated(
            modelID: model.id, since: mark, settings: swapSettings, lists: writeLists,
            reconcile: { context in
                let changes = try context.changedArticles()
                report.reconciled = changes.count
                return try Self.reconcile(
                    changes, context: context, index: &index, thresholds: &thresholds, categories: &categories, builder: builder)
            }, aroundSwap: aroundSwap)
        report.phases.append(("write lists", clock.lap()))
        return report
    }

    /// The lists the live writes made since the snapshot touch, recomputed over the index with those writes applied:
    /// the written article's own list, the lists it now enters, and the lists its old text or its removal leaves.
    static func reconcile(
        _ changes: [ChangedArticle], context: ListSwapContext, index: inout SimilarityIndex, thresholds: inout ListThresholds,
        categories: inout [String?], builder: RelatedListBuilder
    ) throws -> ReconciledLists {
        guard !changes.isEmpty else { return ReconciledLists() }
        var affected = Set(try context.articlesListing(changes.map(\.id)).compactMap { index.row(ofID: $0) })
        for change in changes {
            if let oldRow = index.row(ofID: change.id) {
                affected.formUnion(thresholds.rowsLeft(by: index.vector(ofRow: oldRow), excluding: oldRow, in: index))
                index.remove(id: change.id)
            }
            if let stored = change.vector {
                let publishedAt = stored.publishedAt.flatMap(ISODate.epochSeconds)
                let row = index.add(stored.vector, key: TieKey(publishedAt: publishedAt, id: change.id))
                while categories.count <= Int(row) { categories.append(nil) }
                categories[Int(row)] = change.category
                affected.formUnion(
                    thresholds.rowsEntered(
                        by: stored.vector, publishedAt: publishedAt, category: change.category, excluding: row, in: index,
                        categories: categories))
                affected.insert(row)
            }
        }
        var reconciled = ReconciledLists()
        for row in affected where index.isLive(row: row) {
            let (entries, pool) = builder.chosen(ofRow: row, index: index, categories: categories)
            reconciled.lists[index.tieKey(ofRow: row).id] = entries
            reconciled.poolBounds[index.tieKey(ofRow: row).id] = pool
        }
        for row in thresholds.drainChangedPools() where index.isLive(row: row) && !affected.contains(row) {
            reconciled.poolBounds[index.tieKey(ofRow: row).id] = thresholds.pool(ofRow: row)
        }
        return reconciled
    }

    func modelURL(_ directory: URL, _ name: String) -> URL {
        directory.appendingPathComponent("\(name).silamodel")
    }

    /// The model to use, and whether it was fitted now.
    func resolveModel(_ options: IndexOptions, progress: @escaping @Sendable (IndexProgress) -> Void) throws -> (TFIDFModel, Bool) {
        let name = options.modelName ?? IndexOptions.defaultModelName
        let analyzer = Analyzer(options.analyzer)
        if !options.refit {
            if let directory = options.modelsDirectory, options.modelName != nil,
                FileManager.default.fileExists(atPath: modelURL(directory, name).path)
            {
                return (try TFIDFModel.load(from: modelURL(directory, name), expectedAnalyzerVersion: analyzer.version), false)
            }
            if options.modelName == nil, let stored = try store.currentModel() {
                let model = try stored.decoded(storePath: store.path)
                if model.analyzerVersion == analyzer.version, model.parameters == options.parameters {
                    return (model, false)
                }
            }
        }
        return (try fit(name: name, analyzer: analyzer, parameters: options.parameters, threads: options.threads, progress: progress), true)
    }

    /// Fits a model in one streaming pass over the articles (memory bounded by the vocabulary).
    public func fit(
        name: String, analyzer: Analyzer, parameters: TFIDFParameters, threads: Int,
        progress: @escaping @Sendable (IndexProgress) -> Void = { _ in }
    ) throws -> TFIDFModel {
        var counter = DocumentFrequencyCounter(parameters: parameters)
        let total = try store.articleCount()
        try store.forEachArticleBatch { batch in
            let documents = batch.parallelMap(threads: threads) { analyzer.document(for: $0) }
            for document in documents { counter.add(document) }
            progress(IndexProgress(phase: "fit", done: counter.documentCount, total: total))
        }
        return TFIDFModel(name: name, analyzerVersion: analyzer.version, analyzerConfiguration: analyzer.configuration, counter: counter)
    }

    /// Computes and stores the vectors of articles that have none for `model`; returns how many.
    func vectorizeMissing(model: TFIDFModel, threads: Int, progress: @escaping @Sendable (IndexProgress) -> Void) throws -> Int {
        let analyzer = try model.makeAnalyzer()
        let missing = try store.articleIDsNeedingVectors(modelID: model.id)
        var done = 0
        for start in stride(from: 0, to: missing.count, by: 2000) {
            let ids = Array(missing[start..<min(missing.count, start + 2000)])
            let articles = try store.articles(ids: ids)
            let batch = ids.compactMap { articles[$0] }
            let writes = batch.parallelMap(threads: threads) { article in
                VectorWrite(articleID: article.id, textHash: article.textHash, vector: model.vectorize(analyzer.document(for: article)))
            }
            try store.saveVectors(writes, modelID: model.id)
            done += writes.count
            progress(IndexProgress(phase: "vectorize", done: done, total: missing.count))
        }
        return done
    }
}

/// Wall-clock laps for the per-phase timings.
struct PhaseClock {
    private var last = Date()
    mutating func lap() -> Double {
        let now = Date()
        defer { last = now }
        return now.timeIntervalSince(last)
    }
}
