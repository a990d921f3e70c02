import Hummingbird
@testable import SilaServer
import Testing

/// The answer cache never serves an answer read before a change to it, retires no more than a write touched, and
/// stays within its memory bound.
@Suite struct AnswerCacheUnitTests {
    let body = ByteBuffer(string: "{}\n")

    @Test func retireAllDropsEveryAnswerAndAnythingReadBeforeIt() {
        let cache = AnswerCache(capacityBytes: 1 << 20)
        let before = cache.ticket()
        cache.store(body, for: "/a", article: "a", ticket: before)
        #expect(cache.answer(for: "/a") == body)
        cache.retireAll()
        #expect(cache.answer(for: "/a") == nil)
        // A read that started before the change files its answer late: it must not be served.
        cache.store(body, for: "/b", article: "b", ticket: before)
        #expect(cache.answer(for: "/b") == nil)
        cache.store(body, for: "/b", article: "b", ticket: cache.ticket())
        #expect(cache.answer(for: "/b") == body)
    }

    @Test func aWriteRetiresItsArticlesAndTheWholeIndexAnswersOnly() {
        let cache = AnswerCache(capacityBytes: 1 << 20)
        let ticket = cache.ticket()
        cache.store(body, for: "/a?k=3", article: "a", ticket: ticket)
        cache.store(body, for: "/a?k=5", article: "a", ticket: ticket)
        cache.store(body, for: "/b", article: "b", ticket: ticket)
        cache.store(body, for: "/c?category=x", article: nil, ticket: ticket)
        cache.retire(articles: ["a"])
        #expect(cache.answer(for: "/a?k=3") == nil && cache.answer(for: "/a?k=5") == nil)
        #expect(cache.answer(for: "/c?category=x") == nil, "a live search may now find the written article")
        #expect(cache.answer(for: "/b") == body, "an article the write did not touch keeps its answer")
        // Reads that started before the retirement: the retired article's answer is dropped, another's is kept.
        cache.store(body, for: "/a?k=3", article: "a", ticket: ticket)
        cache.store(body, for: "/c?category=x", article: nil, ticket: ticket)
        cache.store(body, for: "/d", article: "d", ticket: ticket)
        #expect(cache.answer(for: "/a?k=3") == nil)
        #expect(cache.answer(for: "/c?category=x") == nil)
        #expect(cache.answer(for: "/d") == body)
        cache.store(body, for: "/a?k=3", article: "a", ticket: cache.ticket())
        #expect(cache.answer(for: "/a?k=3") == body, "read after the retirement: served")
    }

    @Test func manyRetiredArticlesStartANewGenerationInsteadOfGrowingTheMap() {
        let cache = AnswerCache(capacityBytes: 1 << 20, retiredArticlesLimit: 3)
        let ticket = cache.ticket()
        cache.store(body, for: "/z", article: "z", ticket: ticket)
        cache.retire(articles: ["a", "b"])
        #expect(cache.answer(for: "/z") == body)
        cache.retire(articles: ["c", "d"])
        #expect(cache.answer(for: "/z") == nil, "past the limit everything is retired")
        cache.store(body, for: "/z", article: "z", ticket: ticket)
        #expect(cache.answer(for: "/z") == nil, "and reads from before it file nothing")
    }

    @Test func theCacheStaysWithinItsCapacity() {
        let cache = AnswerCache(capacityBytes: 1000)
        let large = ByteBuffer(string: String(repeating: "x", count: 200))
        for index in 0..<20 { cache.store(large, for: "/\(index)", article: "\(index)", ticket: cache.ticket()) }
        #expect(cache.count <= 1000 / 200)
        #expect(cache.answer(for: "/19") == large)
        for _ in 0..<20 { cache.store(large, for: "/19", article: "19", ticket: cache.ticket()) }
        #expect(cache.answer(for: "/18") != nil, "filing the same target again does not count it twice")
        let off = AnswerCache(capacityBytes: 0)
        off.store(large, for: "/a", article: "a", ticket: off.ticket())
        #expect(off.answer(for: "/a") == nil)
    }
}
