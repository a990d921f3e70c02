import ArabicText
import ArgumentParser
import Foundation
import SilaCore

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Show the analyzer's tokens (normalized, stopwords removed, light-stemmed).",
        discussion: """
            With TEXT: one line of space-separated tokens. With --jsonl: reads articles (JSONL) on standard input \
            and writes {"id": ..., "title_tokens": [...], "body_tokens": [...]} per line, in input order — exactly \
            the terms `sila index` counts (HTML bodies are converted to text first, as at ingest).
            """)

    @Argument(help: "Text to analyze (default: standard input).")
    var text: String?

    @Flag(help: "Read articles as JSONL on standard input; write their tokens as JSONL.")
    var jsonl = false

    @Flag(help: "Do not stem.")
    var noStem = false

    @Flag(help: "Keep stopwords.")
    var keepStopwords = false

    func run() throws {
        let analyzer = Analyzer(Analyzer.Configuration(removesStopwords: !keepStopwords, stems: !noStem))
        if jsonl {
            try analyzeArticles(analyzer)
        } else {
            let input = text ?? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            print(analyzer.terms(input).joined(separator: " "))
        }
    }

    struct Tokens: Encodable {
        let id: String
        let title_tokens: [String]
        let body_tokens: [String]
    }

    func analyzeArticles(_ analyzer: Analyzer) throws {
        var rejected = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var output = Data()
        try ArticleReader.read(path: "-", format: .jsonl) { record in
            switch record {
            case .success(let article):
                output.append(
                    try encoder.encode(
                        Tokens(id: article.id, title_tokens: analyzer.terms(article.title), body_tokens: analyzer.terms(article.body))))
                output.append(0x0A)
                if output.count > 1 << 20 {
                    FileHandle.standardOutput.write(output)
                    output.removeAll(keepingCapacity: true)
                }
            case .failure(let error):
                rejected += 1
                printError("\(error)")
            }
        }
        FileHandle.standardOutput.write(output)
        if rejected > 0 { throw ExitCode.failure }
    }
}
