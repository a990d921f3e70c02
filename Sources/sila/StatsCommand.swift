import ArgumentParser
import Foundation
import SilaCore
import Store
import Vectorizer

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Counts, the current model and sizes of the database.")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "JSON output.")
    var json = false

    func run() throws {
        let store = try database.open()
        let statistics = try store.statistics()
        let model = try store.currentModel()
        let decoded = try model.map { try $0.decoded(storePath: store.path) }
        if json {
            struct Stats: Encodable {
                let database: String
                let statistics: StoreStatistics
                let model: String?
                let model_name: String?
                let vocabulary: Int?
                let analyzer: String?
            }
            try JSONOutput.printLine(
                Stats(
                    database: store.path, statistics: statistics, model: model?.id, model_name: model?.name,
                    vocabulary: decoded?.vocabularySize, analyzer: model?.analyzerVersion))
            return
        }
        print("database      \(store.path) (\(ByteCountFormatter.string(fromByteCount: statistics.fileBytes, countStyle: .file)))")
        print("articles      \(statistics.articles)")
        print("vectors       \(statistics.vectors)")
        print("lists         \(statistics.articlesWithLists) articles, \(statistics.relatedEntries) entries")
        if let model, let decoded {
            print("model         \(model.name) (\(model.id)), \(decoded.vocabularySize) terms, fitted on \(decoded.documentCount) articles")
            print("analyzer      \(model.analyzerVersion)")
        } else {
            print("model         none yet (run `sila index`)")
        }
        if let last = statistics.lastComputedAt {
            print("last index    \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: last)))")
        }
    }
}
