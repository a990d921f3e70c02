import ArabicText
import ArgumentParser
import Foundation
import SilaCore
import Vectorizer

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Compute every article's related list (the batch recompute).",
        discussion: """
            Fits a TF-IDF model when there is none (or with --refit, or when the fitting options change), writes it \
            to Models/NAME.silamodel, vectorizes new and changed articles, computes the exact top-k cosine neighbours \
            of every article with OpenBLAS and swaps the new lists in at once: readers see the old lists until then.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var options: IndexArguments

    func run() throws {
        let store = try database.open()
        let display = ProgressDisplay(quiet: options.quiet)
        let report = try Indexer(store: store).run(try options.indexOptions()) { display.update($0) }
        guard !options.quiet else { return }
        IndexSummary.print(report)
    }
}

/// The fitting and recompute options shared by `index` and `demo`.
struct IndexArguments: ParsableArguments {
    @Option(name: .short, help: "Length of each related list.")
    var k = 10

    @Flag(help: "Fit a new model and recompute everything.")
    var refit = false

    @Option(help: ArgumentHelp("Model name: Models/NAME.silamodel; an existing file is used as a pinned model.", valueName: "name"))
    var model: String?

    @Option(help: "Weight of a title occurrence relative to a body occurrence (1 = title is body text).")
    var titleWeight: Double = 2

    @Option(help: "Keep terms found in at least this many articles.")
    var minDF = 2

    @Option(help: "Keep terms found in at most this fraction of the articles.")
    var maxDF = 0.5

    @Option(help: "Keep at most this many terms (the most frequent).")
    var maxFeatures: Int?

    @Flag(help: "Use raw term counts instead of 1 + ln(count).")
    var rawTF = false

    @Option(help: "Worker threads (default: all cores).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Store the pure exact cosine top-k, without relevance re-ranking.")
    var plain = false

    @Flag(help: "No progress display and no summary.")
    var quiet = false

    @Option(help: ArgumentHelp("Collapse wire copies: of two candidates with cosine ≥ this, keep one.", valueName: "cosine"))
    var dedupe: Double = RelevanceOptions.standard.dedupeThreshold ?? 0.9

    @Flag(help: "Do not collapse wire copies.")
    var noDedupe = false

    @Option(help: ArgumentHelp("Recency half-life, measured from the query article's date (e.g. 30d, 12h, 2w).", valueName: "duration"))
    var recencyHalfLife: String = "\(Int(RelevanceOptions.standard.recencyHalfLifeDays ?? 30))d"

    @Option(help: "Share of the score subject to recency decay (0 = none, 1 = all).")
    var recencyWeight: Double = RelevanceOptions.standard.recencyWeight

    @Flag(help: "No recency decay.")
    var noRecency = false

    @Option(help: ArgumentHelp("Diversify with maximal marginal relevance (λ in [0, 1]; 1 = no diversity).", valueName: "λ"))
    var mmr: Double?

    @Option(help: "Exact cosine candidates the re-ranking chooses from.")
    var candidates: Int = RelevanceOptions.standard.candidatePool

    @Option(help: "Same-section preference: candidates of the query's category keep (1 + this) × their score.")
    var categoryBoost: Double = RelevanceOptions.standard.categoryBoost

    @Option(help: "Hide suggestions scoring below this.")
    var minScore: Double = 0

    @Flag(help: "Analyzer: do not stem.")
    var noStem = false

    @Flag(help: "Analyzer: keep stopwords.")
    var keepStopwords = false

    @Option(help: ArgumentHelp("Analyzer: switch a normalization step off (unicode, diacritics, letters, digits); repeatable.", valueName: "step"))
    var noNormalize: [NormalizationStep] = []

    @Option(help: ArgumentHelp("Directory for model files.", valueName: "dir"))
    var modelsDir = "Models"

    func validate() throws {
        guard (1...1000).contains(k) else { throw ValidationError("-k must be between 1 and 1000") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        if let problem = parameters.problem { throw ValidationError(problem) }
        guard Duration.days(recencyHalfLife) != nil else {
            throw ValidationError("--recency-half-life must look like 30d, 12h or 2w, got '\(recencyHalfLife)'")
        }
        if let problem = relevance.problem { throw ValidationError(problem) }
    }

    var relevance: RelevanceOptions {
        RelevanceOptions(
            dedupeThreshold: noDedupe ? nil : dedupe,
            recencyHalfLifeDays: noRecency ? nil : Duration.days(recencyHalfLife), recencyWeight: recencyWeight,
            mmrLambda: mmr, candidatePool: candidates, minimumScore: minScore, categoryBoost: categoryBoost)
    }

    var analyzer: Analyzer.Configuration {
        var normalization = NormalizationOptions.all
        for step in noNormalize {
            switch step {
            case .unicode: normalization.unicodeCleanup = false
            case .diacritics: normalization.stripDiacritics = false
            case .letters: normalization.foldLetters = false
            case .digits: normalization.foldDigitsAndCase = false
            }
        }
        return Analyzer.Configuration(normalization: normalization, removesStopwords: !keepStopwords, stems: !noStem)
    }

    var parameters: TFIDFParameters {
        TFIDFParameters(titleWeight: titleWeight, sublinearTF: !rawTF, minDF: minDF, maxDF: maxDF, maxFeatures: maxFeatures)
    }

    func indexOptions() throws -> IndexOptions {
        var options = IndexOptions()
        options.k = k
        options.refit = refit
        options.modelName = model
        options.parameters = parameters
        options.threads = threads
        options.plain = plain
        options.relevance = relevance
        options.analyzer = analyzer
        options.modelsDirectory = URL(fileURLWithPath: modelsDir)
        return options
    }
}

enum IndexSummary {
    static func print(_ report: IndexReport) {
        Swift.print(
            "indexed \(report.articles) articles with model \(report.modelName) (\(report.modelID)), "
                + "vocabulary \(report.vocabularySize) terms; \(report.vectorized) vectorized, "
                + "\(report.zeroVectors) with no vocabulary term")
        if let file = report.modelFile { Swift.print("model written to \(file)") }
        if report.reconciled > 0 {
            Swift.print("\(report.reconciled) articles written live meanwhile (a running server) were folded into the new lists")
        }
        let phases = report.phases.map { String(format: "%@ %.2fs", $0.name, $0.seconds) }.joined(separator: ", ")
        let total = report.phases.reduce(0) { $0 + $1.seconds }
        Swift.print("timings: \(phases); total \(String(format: "%.2f", total))s")
    }
}

/// Normalization steps that `--no-normalize` can switch off (for ablation measurements).
enum NormalizationStep: String, ExpressibleByArgument, CaseIterable {
    case unicode, diacritics, letters, digits
}

/// Parses "30d", "12h", "2w" or a bare number of days.
enum Duration {
    static func days(_ text: String) -> Double? {
        let units: [Character: Double] = ["d": 1, "h": 1.0 / 24, "w": 7, "m": 1.0 / 1440]
        if let last = text.last, let unit = units[last], let value = Double(text.dropLast()), value > 0 { return value * unit }
        if let value = Double(text), value > 0 { return value }
        return nil
    }
}
