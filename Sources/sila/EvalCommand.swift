import ArgumentParser
import Foundation
import SilaCore

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure the quality of the related lists on a labelled corpus.",
        discussion: """
            Ingests FILE.jsonl into a temporary database, indexes it with the given options and prints, over all \
            articles: cat P@10 (neighbours sharing the category), story R@10 and R@3 (fellow members of the same \
            story found), story MRR@10, cross-source story R@10 (fellow members from another source) and the \
            duplicate rate (lists holding two items with cosine ≥ 0.9). Labels are read from the records' \
            `category`, `story` and `source` fields.
            """)

    @Argument(help: ArgumentHelp("Labelled corpus (JSONL with category, story, source).", valueName: "file.jsonl"))
    var file: String

    @OptionGroup var options: IndexArguments

    @Flag(help: "JSON output.")
    var json = false

    func run() throws {
        let (metrics, report) = try Evaluation.run(
            corpus: file, options: try options.indexOptions(), workDirectory: FileManager.default.temporaryDirectory)
        if json {
            try JSONOutput.printLine(metrics)
            return
        }
        print("corpus        \(file): \(metrics.articles) articles, \(metrics.storyArticles) in stories, vocabulary \(report.vocabularySize)")
        print(String(format: "cat P@10      %.3f", metrics.categoryPrecisionAt10))
        print(String(format: "story R@10    %.3f", metrics.storyRecallAt10))
        print(String(format: "story R@3     %.3f", metrics.storyRecallAt3))
        print(String(format: "story MRR@10  %.3f", metrics.storyMRRAt10))
        print(String(format: "cross-src R@10 %.3f  (%d articles)", metrics.crossSourceRecallAt10, metrics.crossSourceArticles))
        print(String(format: "duplicates    %.4f", metrics.duplicateRate))
    }
}
