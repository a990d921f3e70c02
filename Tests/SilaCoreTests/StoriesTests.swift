import Foundation
import Store
import TestSupport
import Testing
@testable import SilaCore

/// The sample corpus's ground truth: `Data/README.md` lists which articles tell the same story.
enum SampleStories {
    /// story id → member article ids, parsed from the "## Stories" table.
    static func load() throws -> [String: [String]] {
        let text = try String(contentsOf: RepositoryFiles.sampleReadme, encoding: .utf8)
        guard let section = text.range(of: "## Stories") else { return [:] }
        var stories = [String: [String]]()
        for line in text[section.upperBound...].split(separator: "\n") {
            if line.hasPrefix("## ") { break }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, cells[0].contains("st-") else { continue }
            let story = cells[0].replacingOccurrences(of: "`", with: "")
            stories[story] = cells[1].split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "`", with: "")
            }
        }
        return stories
    }
}

@Suite struct StoriesTests {
    let directory = TemporaryDirectory()

    @Test func theSampleCorpusHasTheStoriesTheREADMEPromises() throws {
        let stories = try SampleStories.load()
        #expect(stories.count >= 10)
        #expect(stories.values.allSatisfy { (2...5).contains($0.count) })
    }

    @Test func forAtLeastEightStoriesEveryMemberListsItsFellowMembersInItsTopThree() throws {
        let store = try SilaStore.open(path: directory.path("sample.sqlite"), createIfMissing: true)
        let ingest = try Ingestor(store: store).ingest(paths: [RepositoryFiles.sampleArticles.path], format: .jsonl)
        #expect(ingest.rejected.isEmpty)
        var options = IndexOptions()
        options.modelsDirectory = nil
        _ = try Indexer(store: store).run(options)
        let stories = try SampleStories.load()
        var complete = [String]()
        var incomplete = [String]()
        for (story, members) in stories.sorted(by: { $0.key < $1.key }) {
            let allFound = try members.allSatisfy { member in
                let top3 = Set(try store.relatedList(of: member).prefix(3).map(\.id))
                let fellows = Set(members).subtracting([member])
                // A story of 5 has 4 fellows, more than a top 3 can hold: then the top 3 must be all fellows.
                return fellows.count <= 3 ? fellows.isSubset(of: top3) : top3.isSubset(of: fellows)
            }
            if allFound { complete.append(story) } else { incomplete.append(story) }
        }
        #expect(complete.count >= 8, "complete: \(complete), incomplete: \(incomplete)")
    }
}
