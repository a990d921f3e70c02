import ArgumentParser
import Foundation
import SilaCore
import Store

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The embedded default: load the sample corpus, index it, show a few lists, then serve.",
        discussion: """
            Loads Data/sample-articles.jsonl into the database (Data/sila.sqlite by default), fits the model \
            Models/sample.silamodel, computes every list, prints the «شاهد أيضاً» box of a few articles and serves \
            on Data/sila.sock until interrupted (--no-serve to stop after printing).
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var server: ServerArguments

    @Option(help: ArgumentHelp("Sample corpus to load.", valueName: "file"))
    var sample = "Data/sample-articles.jsonl"

    @Option(help: "Number of articles whose box is printed.")
    var show = 4

    @Flag(help: "Print the boxes and exit instead of serving.")
    var noServe = false

    /// A few articles worth showing: per category, the one whose box is most clearly about its story (highest
    /// first score), the strongest categories first.
    func showcase(_ store: SilaStore) throws -> [String] {
        var best = [String: (id: String, score: Double)]()
        for id in try store.articleIDs() {
            guard let article = try store.article(id: id), let first = try store.relatedList(of: id).first else { continue }
            let category = article.category ?? ""
            if first.score > best[category]?.score ?? -1 { best[category] = (id, first.score) }
        }
        return best.values.sorted { $0.score > $1.score }.prefix(show).map(\.id)
    }

    func run() async throws {
        guard FileManager.default.fileExists(atPath: sample) else {
            throw CoreError.cannotReadInput(path: sample, reason: "sample corpus not found; run from the Sila checkout or pass --sample FILE")
        }
        let store = try database.open(create: true)
        let ingest = try Ingestor(store: store).ingest(paths: [sample], format: .jsonl, rejected: { printError("\($0)") })
        print("ingest: \(ingest.summary)")
        var options = IndexOptions()
        options.modelName = "sample"
        options.refit = true
        let report = try Indexer(store: store).run(options)
        IndexSummary.print(report)
        print("")
        for id in try showcase(store) {
            RelatedTable.print(queryID: id, title: try store.article(id: id)?.title, items: try store.relatedItems(of: id, k: 3))
            print("")
        }
        guard !noServe else { return }
        try await server.serve(store: store)
    }
}
