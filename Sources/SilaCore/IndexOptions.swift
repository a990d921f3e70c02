import ArabicText
import Foundation
import Similarity
import Store
import Vectorizer

/// Settings of a batch recompute (`sila index`, `POST /v1/recompute`).
public struct IndexOptions: Sendable {
    /// Length of each stored list.
    public var k = 10
    /// Fit a new model even when a usable one exists, and re-vectorize everything.
    public var refit = false
    /// Name of the model file in the models directory; an existing file is a pinned model and is used as is.
    public var modelName: String? = nil
    public var parameters = TFIDFParameters()
    public var analyzer = Analyzer.Configuration.standard
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Store the pure exact cosine top-k (no relevance re-ranking); overrides `relevance`.
    public var plain = false
    /// News re-ranking on top of the cosine (ignored when `plain`).
    public var relevance = RelevanceOptions.standard
    /// Where fitted models are written (`Models/` by default).
    public var modelsDirectory: URL? = URL(fileURLWithPath: "Models")
    public var search = SearchConfiguration.standard

    public init() {}

    /// The relevance options in force: `.plain` when `plain` is set.
    public var effectiveRelevance: RelevanceOptions { plain ? .plain : relevance }

    public static let defaultModelName = "default"
}

/// What a recompute did, with the time each phase took.
public struct IndexReport: Sendable {
    public var articles = 0
    public var vectorized = 0
    public var zeroVectors = 0
    public var modelID = ""
    public var modelName = ""
    public var vocabularySize = 0
    public var refitted = false
    public var modelFile: String? = nil
    /// Articles written live (PUT/DELETE) while the recompute ran, folded into its lists at the swap.
    public var reconciled = 0
    public var phases: [(name: String, seconds: Double)] = []
}

/// Progress of a long phase, for bars and job records.
public struct IndexProgress: Sendable {
    public var phase: String
    public var done: Int
    public var total: Int
}

/// How lists were computed by the last recompute; stored so that live updates compute lists the same way.
public struct ListSettings: Codable, Sendable, Equatable {
    public var k: Int
    public var relevance: RelevanceOptions

    static let settingKey = "lists"

    /// The settings of the last recompute, or nil before the first one.
    public static func stored(in store: SilaStore) throws -> ListSettings? {
        try store.setting(settingKey).flatMap { try? JSONDecoder().decode(ListSettings.self, from: Data($0.utf8)) }
    }
}
