import Foundation
import Hummingbird

/// The encoded answers of `GET /v1/articles/{id}/related`, by request target: a page render repeated before the
/// lists change is answered from memory, without a read transaction or an encoder.
///
/// Correctness rests on `ServerState.answersGeneration`, bumped after every change to what a GET can answer (a
/// live write, a recompute's swap, a reload after another process's index). A request takes the generation
/// *before* it reads the store and files its answer under it; an answer filed under an older generation than the
/// newest seen is dropped, and a lookup only hits an answer of the generation it asks for. So an answer read before
/// a write committed is never served after that write's bump.
///
/// Bounded by `capacityBytes`: when an answer would not fit, the cache is emptied (a hostile client varying an
/// ignored parameter only churns it; it never grows past the bound).
final class AnswerCache: @unchecked Sendable {
    let capacityBytes: Int
    private let lock = NSLock()
    private var generation: UInt64 = 0
    private var answers = [String: ByteBuffer]()
    private var bytes = 0

    /// - Parameter capacityBytes: memory for answers (bodies and keys); 0 turns the cache off.
    init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
    }

    /// The body answered for `target` at `generation`, if one is filed.
    func answer(for target: String, generation: UInt64) -> ByteBuffer? {
        guard capacityBytes > 0 else { return nil }
        return lock.withLock { self.generation == generation ? answers[target] : nil }
    }

    /// Files the body answered for `target` from a read that started at `generation`.
    func store(_ body: ByteBuffer, for target: String, generation: UInt64) {
        let size = body.capacity + target.utf8.count + 64  // the memory held, not just the bytes sent
        guard size <= capacityBytes else { return }
        lock.withLock {
            if generation > self.generation {
                answers.removeAll()
                bytes = 0
                self.generation = generation
            }
            guard generation == self.generation else { return }  // read before a newer change: stale
            if bytes + size > capacityBytes {
                answers.removeAll()
                bytes = 0
            }
            if answers.updateValue(body, forKey: target) == nil { bytes += size }
        }
    }

    /// How many answers are filed (for tests).
    var count: Int { lock.withLock { answers.count } }
}
