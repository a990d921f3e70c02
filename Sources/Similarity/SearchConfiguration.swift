/// Tuning of the exact search, passed as a value (no global knobs).
public struct SearchConfiguration: Hashable, Sendable {
    /// How many of the most frequent vocabulary columns are scored densely with `cblas_sgemm`; the rest go through
    /// the sparse inverted lists. Term ids are ordered by document frequency, so these are ids `0..<denseHeadTerms`.
    public var denseHeadTerms: Int
    /// Upper bound on the memory for score tiles and the dense head, over all threads.
    public var memoryBudgetBytes: Int
    /// Worker threads for the all-pairs search.
    public var threads: Int

    public init(denseHeadTerms: Int = 64, memoryBudgetBytes: Int = 256 << 20, threads: Int = 2) {
        self.denseHeadTerms = denseHeadTerms
        self.memoryBudgetBytes = memoryBudgetBytes
        self.threads = max(1, threads)
    }

    public static let standard = SearchConfiguration()
}
