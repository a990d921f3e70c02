import Foundation
import Store
import TestSupport
import Testing
@testable import SilaCore

/// The sample corpus ingested and indexed into a fresh database, with its live index: where the live-update tests
/// start from, and the list comparisons they end with.
enum IndexedSample {
    static func make(in directory: TemporaryDirectory, _ name: String, plain: Bool) throws -> (SilaStore, LiveIndex) {
        try make(in: directory, name, options: options(plain: plain))
    }

    static func make(in directory: TemporaryDirectory, _ name: String, options: IndexOptions) throws -> (SilaStore, LiveIndex) {
        let store = try SilaStore.open(path: directory.path(name), createIfMissing: true)
        _ = try Ingestor(store: store).ingest(paths: [RepositoryFiles.sampleArticles.path], format: .jsonl)
        _ = try Indexer(store: store).run(options)
        return (store, try #require(try LiveIndex.load(store: store)))
    }

    /// Index options without a models directory (nothing written beside the repository's models).
    static func options(plain: Bool) -> IndexOptions {
        var options = IndexOptions()
        options.modelsDirectory = nil
        options.plain = plain
        return options
    }

    static func allLists(_ store: SilaStore) throws -> [String: [RelatedEntry]] {
        var lists = [String: [RelatedEntry]]()
        try store.forEachRelatedList { lists[$0] = $1 }
        return lists
    }

    /// Same ids in the same order (or scores tied within 1e-6), scores equal within float rounding.
    static func sameLists(_ a: [String: [RelatedEntry]], _ b: [String: [RelatedEntry]]) -> Bool {
        guard Set(a.keys) == Set(b.keys) else { return false }
        for (id, list) in a {
            let other = b[id]!
            guard list.count == other.count else { return false }
            guard list.map(\.id) == other.map(\.id) || zip(list, other).allSatisfy({ abs($0.score - $1.score) < 1e-6 }) else { return false }
            guard zip(list, other).allSatisfy({ abs($0.score - $1.score) < 1e-5 }) else { return false }
        }
        return true
    }
}
