import Hummingbird
@testable import SilaServer
import Testing

/// The answer cache never serves an answer filed under an older generation, and stays within its memory bound.
@Suite struct AnswerCacheUnitTests {
    @Test func theCacheServesOnlyAnswersOfTheGenerationAskedFor() {
        let cache = AnswerCache(capacityBytes: 1 << 20)
        let body = ByteBuffer(string: "{}\n")
        cache.store(body, for: "/a", generation: 1)
        #expect(cache.answer(for: "/a", generation: 1) == body)
        #expect(cache.answer(for: "/a", generation: 2) == nil)
        cache.store(body, for: "/b", generation: 2)
        #expect(cache.answer(for: "/a", generation: 1) == nil, "a newer generation retires the older answers")
        // A read that started before the change files its answer late: it must not be served.
        cache.store(body, for: "/c", generation: 1)
        #expect(cache.answer(for: "/c", generation: 1) == nil)
        #expect(cache.answer(for: "/c", generation: 2) == nil)
    }

    @Test func theCacheStaysWithinItsCapacity() {
        let cache = AnswerCache(capacityBytes: 1000)
        let body = ByteBuffer(string: String(repeating: "x", count: 200))
        for index in 0..<20 { cache.store(body, for: "/\(index)", generation: 0) }
        #expect(cache.count <= 1000 / 200)
        #expect(cache.answer(for: "/19", generation: 0) == body)
        let off = AnswerCache(capacityBytes: 0)
        off.store(body, for: "/a", generation: 0)
        #expect(off.answer(for: "/a", generation: 0) == nil)
    }
}
