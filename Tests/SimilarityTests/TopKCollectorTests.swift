import Testing
@testable import Similarity

@Suite struct TopKCollectorTests {
    let keys = [
        TieKey(publishedAt: 100, id: "b"), TieKey(publishedAt: 200, id: "c"), TieKey(publishedAt: 100, id: "a"),
        TieKey(publishedAt: nil, id: "0"), TieKey(publishedAt: 300, id: "d"),
    ]

    func collect(_ offers: [(Int32, Float)], k: Int) -> [Int32] {
        keys.withUnsafeBufferPointer { buffer in
            var collector = TopKCollector(k: k)
            for (row, score) in offers { collector.offer(ScoredMatch(row: row, score: score), tieKeys: buffer) }
            return collector.matches.map(\.row)
        }
    }

    @Test func keepsTheBestKInDescendingScoreOrder() {
        #expect(collect([(0, 0.1), (1, 0.9), (2, 0.5), (3, 0.7), (4, 0.3)], k: 3) == [1, 3, 2])
    }

    @Test func returnsFewerWhenFewerAreOffered() {
        #expect(collect([(0, 0.1), (1, 0.2)], k: 5) == [1, 0])
    }

    @Test func kZeroKeepsNothing() {
        #expect(collect([(0, 0.1)], k: 0).isEmpty)
    }

    @Test func equalScoresRankNewerFirstThenSmallerID() {
        // rows 0 and 2 share a date (100): the smaller id "a" (row 2) wins; row 1 (200) and row 4 (300) are newer.
        #expect(collect([(0, 0.5), (1, 0.5), (2, 0.5), (4, 0.5)], k: 4) == [4, 1, 2, 0])
    }

    @Test func aMissingDateRanksAfterAnyDate() {
        #expect(collect([(3, 0.5), (0, 0.5)], k: 2) == [0, 3])
    }

    @Test func aTieAtTheThresholdDisplacesTheWorseTieKey() {
        // Full at k = 2 with scores 0.9 and 0.5 (row 0, date 100); row 4 (date 300) ties at 0.5 and ranks first.
        #expect(collect([(1, 0.9), (0, 0.5), (4, 0.5)], k: 2) == [1, 4])
    }
}
