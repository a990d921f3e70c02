import Foundation
import Hummingbird

/// The encoded answers of `GET /v1/articles/{id}/related`, by request target: a page render repeated before the
/// lists change is answered from memory, without a read transaction or an encoder.
///
/// Answers are retired when what they say may change: all of them on a recompute's swap, a reload, or another
/// process's commit (`retireAll`); on a live write only those of the articles it touched (`retire(articles:)`) and
/// those that depend on the whole index (live searches, explanations): a newsroom publishing every few minutes does
/// not empty the cache of every other article's box.
///
/// A request takes a `Ticket` *before* it reads the store and files its answer with it; an answer whose article
/// (or, for whole-index answers, any article) was retired after the ticket was taken is dropped, so an answer read
/// before a write committed is never served after that write's retirement.
///
/// Bounded by `capacityBytes`: when an answer would not fit, the cache is emptied (a hostile client varying an
/// ignored parameter only churns it; it never grows past the bound).
final class AnswerCache: @unchecked Sendable {
    /// When a request started reading, in the cache's clocks.
    struct Ticket: Sendable {
        fileprivate let generation: UInt64
        fileprivate let retirement: UInt64
    }

    private struct Entry {
        let body: ByteBuffer
        /// The article whose stored list and listed cards the answer shows; nil when it depends on the whole index.
        let article: String?
    }

    let capacityBytes: Int
    private let lock = NSLock()
    /// Bumped by `retireAll`: tickets of an older generation file nothing.
    private var generation: UInt64 = 0
    /// Bumped by every `retire(articles:)`.
    private var retirement: UInt64 = 0
    /// The retirement at which each article (and the whole-index answers) was last retired, this generation.
    private var retiredAt = [String: UInt64]()
    private var wholeIndexRetiredAt: UInt64 = 0
    private var answers = [String: Entry]()
    private var targetsByArticle = [String: [String]]()
    private var wholeIndexTargets = Set<String>()
    private var bytes = 0
    /// More retired articles than this since the last `retireAll` start a new generation (the map stays bounded).
    private let retiredArticlesLimit: Int

    /// - Parameter capacityBytes: memory for answers (bodies and keys); 0 turns the cache off.
    init(capacityBytes: Int, retiredArticlesLimit: Int = 100_000) {
        self.capacityBytes = capacityBytes
        self.retiredArticlesLimit = retiredArticlesLimit
    }

    /// Take before reading the store for an answer to file.
    func ticket() -> Ticket {
        lock.withLock { Ticket(generation: generation, retirement: retirement) }
    }

    /// The body answered for `target`, if one is filed and not retired.
    func answer(for target: String) -> ByteBuffer? {
        guard capacityBytes > 0 else { return nil }
        return lock.withLock { answers[target]?.body }
    }

    /// Files the body answered for `target` from a read that started at `ticket`.
    /// - Parameter article: the article whose list the answer shows; nil when it depends on the whole index (a live
    ///   search, an explanation).
    func store(_ body: ByteBuffer, for target: String, article: String?, ticket: Ticket) {
        let size = body.capacity + target.utf8.count + 64  // the memory held, not just the bytes sent
        guard size <= capacityBytes else { return }
        lock.withLock {
            guard ticket.generation == generation else { return }  // read before a `retireAll`: stale
            let retiredSince = article.map { retiredAt[$0] ?? 0 } ?? wholeIndexRetiredAt
            guard retiredSince <= ticket.retirement else { return }  // read before its article's retirement
            remove(target)
            if bytes + size > capacityBytes { removeAllAnswers() }
            answers[target] = Entry(body: body, article: article)
            bytes += size
            if let article {
                targetsByArticle[article, default: []].append(target)
            } else {
                wholeIndexTargets.insert(target)
            }
        }
    }

    /// Retires every answer (a recompute's swap, a reload, another process's commit).
    func retireAll() {
        lock.withLock {
            generation &+= 1
            retiredAt.removeAll()
            removeAllAnswers()
        }
    }

    /// Retires the answers of `articles` and every whole-index answer (after a live write commits).
    func retire(articles: Set<String>) {
        lock.withLock {
            if retiredAt.count + articles.count > retiredArticlesLimit {
                generation &+= 1
                retiredAt.removeAll()
                removeAllAnswers()
                return
            }
            retirement &+= 1
            wholeIndexRetiredAt = retirement
            for target in wholeIndexTargets { remove(target) }
            wholeIndexTargets.removeAll()
            for article in articles {
                retiredAt[article] = retirement
                for target in targetsByArticle.removeValue(forKey: article) ?? [] { remove(target) }
            }
        }
    }

    /// How many answers are filed (for tests).
    var count: Int { lock.withLock { answers.count } }

    /// Removes one answer (its article's target list keeps the target: a retirement of a missing target is a no-op).
    private func remove(_ target: String) {
        guard let entry = answers.removeValue(forKey: target) else { return }
        bytes -= entry.body.capacity + target.utf8.count + 64
    }

    private func removeAllAnswers() {
        answers.removeAll()
        targetsByArticle.removeAll()
        wholeIndexTargets.removeAll()
        bytes = 0
    }
}
