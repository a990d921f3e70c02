import ArgumentParser
import Foundation
import SilaCore

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load or update articles from JSONL, CSV or WordPress WXR files.",
        discussion: """
            Articles are upserted by id: new ones are inserted, changed ones replaced (and re-vectorized by the next \
            `sila index`), identical ones skipped. A bad record is reported as FILE:LINE: reason and skipped; the \
            rest is loaded, and the exit status is 1 when anything was rejected.

            Article fields: id and body required; title, category, tags, url, published_at (ISO-8601) optional. \
            body may be HTML. The database is created when missing.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("Files to read; - reads JSONL from standard input.", valueName: "file"))
    var files: [String]

    @Option(help: "Input format (default: from the file extension: .jsonl .csv .xml).")
    var format: InputFormat?

    @Flag(help: "Print only errors and the summary.")
    var quiet = false

    func run() throws {
        let store = try database.open(create: true)
        let showProgress = !quiet && standardErrorIsTerminal
        let throttle = Throttle(interval: 0.2)
        let report = try Ingestor(store: store).ingest(
            paths: files, format: format, rejected: { printError("\($0)") },
            warning: { printError("\($0.file):\($0.line): warning: \($0.reason)") },
            progress: { count in
                if showProgress, throttle.ready() { FileHandle.standardError.write(Data("\r\u{1B}[Kread \(count)".utf8)) }
            })
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let rate = report.seconds > 0 ? Double(report.total) / report.seconds : 0
        print("\(report.summary) (\(String(format: "%.1f", report.seconds)) s, \(Int(rate)) records/s) → \(store.path)")
        if !report.rejected.isEmpty { throw ExitCode.failure }
    }
}

extension InputFormat: ExpressibleByArgument {}
