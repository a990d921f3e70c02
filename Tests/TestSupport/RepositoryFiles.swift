import Foundation

/// Paths of the repository's own files and of the shared development corpus, for tests.
public enum RepositoryFiles {
    /// The package root (the directory holding Package.swift).
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    public static let sampleArticles = root.appendingPathComponent("Data/sample-articles.jsonl")
    public static let sampleReadme = root.appendingPathComponent("Data/README.md")

    /// The ANT development corpus beside the checkout (../shared/data), read at test time, never copied.
    public static let devCorpus = root.deletingLastPathComponent().appendingPathComponent("shared/data/ar-news-dev.jsonl")

    public static var devCorpusIsAvailable: Bool { FileManager.default.fileExists(atPath: devCorpus.path) }

    /// The message a skipped dev-corpus test shows.
    public static let devCorpusSkipReason = "skipped: needs ../shared/data/ar-news-dev.jsonl (the ANT dev corpus) beside the checkout"

    /// The built `sila` executable of the current build (debug or release), beside the test bundle.
    public static var silaExecutable: URL {
        let bundle = Bundle.main.bundleURL
        for candidate in [
            bundle.appendingPathComponent("sila"), bundle.deletingLastPathComponent().appendingPathComponent("sila"),
            bundle.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sila"),
        ]
        where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        return root.appendingPathComponent(".build/debug/sila")
    }
}
