import ArgumentParser

/// The `sila` command: pure configuration; each subcommand is a thin adapter over SilaCore.
@main
struct SilaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sila",
        abstract: "Related articles («شاهد أيضاً») for Arabic news sites.",
        discussion: """
            Typical use:
              sila ingest articles.jsonl      load or update articles (JSONL, CSV or WordPress WXR)
              sila index                      compute every article's related list
              sila related 1234               show the list of article 1234
              sila serve                      answer a CMS over a Unix socket (Data/sila.sock)

            The database is Data/sila.sqlite unless --db or $SILA_DB says otherwise.
            `sila demo` does all of the above on the bundled sample corpus.
            """,
        version: "0.1.0",
        subcommands: [
            IngestCommand.self, IndexCommand.self, RelatedCommand.self, AnalyzeCommand.self, ExportCommand.self,
            StatsCommand.self, ServeCommand.self, DemoCommand.self, EvalCommand.self,
        ]
    )
}
