import ArgumentParser
import Foundation
import SilaCore
import Store
import Vectorizer

struct RelatedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "related",
        abstract: "Show the «شاهد أيضاً» list of an article.",
        discussion: """
            For a stored article the list computed by the last `sila index` (or live update) is shown; when it \
            cannot answer (-k longer than the stored lists, or --category/--since leaving fewer than k), the list is \
            computed now with the current model. With --text \
            FILE the list is computed now for an article that is not stored (cold start): FILE holds an article \
            JSON object, or plain text used as its body.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "Article id.")
    var id: String?

    @Option(name: .short, help: "Number of suggestions.")
    var k = 10

    @Flag(help: "JSON output: {\"id\", \"related\": [{\"id\", \"title\", \"url\", \"published_at\", \"score\"}]}.")
    var json = false

    @Option(help: ArgumentHelp("Cold start: related articles for the article in FILE, not stored.", valueName: "file"))
    var text: String?

    @Flag(help: "Show, for each suggestion, the 5 shared words that contributed most to the score.")
    var explain = false

    @Option(help: ArgumentHelp("Only suggestions of this category (as stored).", valueName: "name"))
    var category: String?

    @Option(help: ArgumentHelp("Only suggestions published at or after this date (YYYY-MM-DD or an ISO-8601 instant).", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("Only suggestions published at or before this date.", valueName: "date"))
    var until: String?

    @Option(help: ArgumentHelp("Never these articles (comma-separated ids).", valueName: "ids"))
    var exclude: String?

    @Option(help: ArgumentHelp("Only suggestions scoring at least this (0 to 1).", valueName: "score"))
    var minScore: String?

    func validate() throws {
        guard (id == nil) != (text == nil) else { throw ValidationError("give an article id, or --text FILE") }
        guard (1...1000).contains(k) else { throw ValidationError("-k must be between 1 and 1000") }
    }

    func run() throws {
        let store = try database.open()
        let filter = try RelatedFilter(
            category: category, sinceText: since, untilText: until, excludeText: exclude, minimumScoreText: minScore)
        let queryID: String
        var items: [RelatedItem]
        let query: Article?
        if let text {
            let article = try ColdStartInput.article(fromFile: text)
            guard let live = try LiveIndex.load(store: store) else { throw CoreError.noModel }
            queryID = article.id
            query = article
            items = try store.items(for: live.related(to: article, k: k, filter: filter))
        } else {
            queryID = id!
            items = try RelatedLookup(store: store, liveIndex: { try LiveIndex.load(store: store) })
                .related(of: queryID, k: k, filter: filter).items
            query = try store.article(id: queryID)
        }
        if explain, let query {
            guard let stored = try store.currentModel() else { throw CoreError.noModel }
            let model = try stored.decoded(storePath: store.path)
            items = try Explainer(model: model).explain(items, for: query, store: store)
        }
        if json {
            try JSONOutput.printLine(RelatedJSON(id: queryID, related: items))
        } else {
            RelatedTable.print(queryID: queryID, title: try store.article(id: queryID)?.title, items: items)
        }
    }
}

struct RelatedJSON: Encodable {
    let id: String
    let related: [RelatedItem]
}

/// Reads the --text file: an article JSON object, or plain text taken as the body.
enum ColdStartInput {
    static func article(fromFile path: String) throws -> Article {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CoreError.cannotReadInput(path: path, reason: "no such file")
        }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            var fields = object
            if fields["id"] == nil { fields["id"] = "_text" }
            switch ArticleValidation.article(from: fields) {
            case .success(let article): return article
            case .failure(let problem): throw CoreError.invalidOption("\(path): \(problem.reason)")
            }
        }
        let body = String(decoding: data, as: UTF8.self)
        guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CoreError.invalidOption("\(path): empty text")
        }
        return Article(id: "_text", body: body)
    }
}

enum RelatedTable {
    /// Score, date and id first (fixed width, left to right), the Arabic title last, where its direction does not
    /// disturb the columns.
    static func print(queryID: String, title: String?, items: [RelatedItem]) {
        Swift.print("شاهد أيضاً — \(queryID)\(title.map { "  \($0)" } ?? "")")
        if items.isEmpty {
            Swift.print("  (no related articles: the article has no list yet — run `sila index` — or shares no terms)")
            return
        }
        let idWidth = min(40, items.map(\.id.count).max() ?? 0)
        for (rank, item) in items.enumerated() {
            let date = item.publishedAt.map { String($0.prefix(10)) } ?? "          "
            let paddedID = item.id.padding(toLength: idWidth, withPad: " ", startingAt: 0)
            Swift.print(String(format: "%3d. %.3f  ", rank + 1, item.score) + "\(date)  \(paddedID)  \(item.title)")
            if let explanation = item.explanation, !explanation.isEmpty {
                let words = explanation.map { String(format: "%@ %.3f", $0.word, $0.contribution) }.joined(separator: "، ")
                Swift.print("       ↳ \(words)")
            }
        }
    }
}

enum JSONOutput {
    static func printLine(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
