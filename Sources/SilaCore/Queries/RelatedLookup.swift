import Store

/// Answers «شاهد أيضاً» requests for stored articles, the same way for the socket and the CLI: from the stored list
/// when it holds the answer (a page render must not wait for a search), computed now by the live index when it
/// does not — a longer list than was stored, or a filter that leaves fewer than `k` of it.
public struct RelatedLookup {
    /// Where an answer came from (reported to clients and in metrics).
    public enum Source: String, Sendable, Codable {
        case stored, live
    }

    public let store: SilaStore
    /// The live index, asked for only when the stored list cannot answer (the CLI loads it lazily).
    public let liveIndex: () throws -> LiveIndex?

    public init(store: SilaStore, liveIndex: @escaping () throws -> LiveIndex?) {
        self.store = store
        self.liveIndex = liveIndex
    }

    /// At most `k` suggestions for the stored article `id` that `filter` admits, best first.
    /// - Throws: `CoreError.unknownArticle` when the id is not stored.
    public func related(of id: String, k: Int, filter: RelatedFilter = RelatedFilter()) throws -> (items: [RelatedItem], source: Source) {
        // One snapshot answers the common case: the existence check, the list and the cards of its first k.
        guard let answer = try store.storedAnswer(of: id, k: k) else { throw CoreError.unknownArticle(id: id) }
        let stored = answer.entries
        if filter.isEmpty, k <= stored.count { return (RelatedItem.items(for: Array(stored.prefix(k)), cards: answer.cards), .stored) }
        // A list shorter than the recompute's length holds every candidate there was: it is complete for any k.
        let complete = try stored.count < (ListSettings.stored(in: store)?.k ?? stored.count)
        let admitted: [RelatedEntry]
        if filter.isEmpty {
            admitted = stored
        } else {
            let cards = try store.cards(ids: stored.map(\.id))
            admitted = stored.filter { entry in cards[entry.id].map { filter.admits($0, score: entry.score) } ?? false }
        }
        // No model, or an article that arrived after the last index: the stored list is all there is.
        guard admitted.count < k, !complete, let live = try liveIndex(),
            let entries = live.related(ofStored: id, k: k, filter: filter)
        else {
            return (try store.items(for: Array(admitted.prefix(k))), .stored)
        }
        return (try store.items(for: entries), .live)
    }
}
