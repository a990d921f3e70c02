/// Tuning of the exact search, passed as a value (no global knobs). None of it changes the answer.
public struct SearchConfiguration: Hashable, Sendable {
    /// At most this many of the most frequent vocabulary columns are scored densely with `cblas_sgemm` in the
    /// all-pairs search; the rest go through the sparse inverted lists. Term ids are ordered by document frequency,
    /// so these are ids `0..<denseHeadTerms`.
    public var denseHeadTerms: Int
    /// Cost model of the dense head: a term joins it only while its document frequency is at least this fraction
    /// of the rows. A dense term costs every pair 2 flops of `sgemm` (N²/2 pairs); a sparse one costs df²/2
    /// scattered updates, each ~40× a flop here, so the break-even is near df ≈ 0.2 N. Measured on the dev corpus
    /// (CPU seconds of the all-pairs search, median of 6): head 0 → 0.97, 8 → 0.94, 16 → 0.90, 32 → 1.04,
    /// 64 → 1.04; 0.2 N keeps ~15 terms there. 0: always `denseHeadTerms` terms.
    public var denseHeadMinDocumentFraction: Double
    /// Upper bound on the memory for score tiles and the dense head block, over all threads.
    public var memoryBudgetBytes: Int
    /// Worker threads for the all-pairs search. Two or more also lets a long single query (`search`) split its
    /// walk of the inverted lists across two threads (a persistent helper thread, shared by all indexes).
    public var threads: Int
    /// Query rows per all-pairs tile (0: automatic).
    public var blockRows: Int
    /// Candidate columns per all-pairs tile (0: automatic).
    public var blockColumns: Int
    /// With `threads` ≥ 2, a single query is split across two threads (`QueryHelper`) when its walk reaches this
    /// many postings (plus a quarter of the rows, the bound passes). Off by default (`Int.max`): measured on the
    /// 2-core dev machine under other load, the split was slower than one thread at every size (dev corpus p50
    /// 115–136 µs vs 76–108 µs, synthetic 100k 674–766 µs vs 525–535 µs): the helper's wake-up and its
    /// preemption by other processes cost more than half a walk. `--split-work` in the benchmark turns it on.
    public var singleQueryParallelMinimumWork = Self.defaultSingleQueryParallelMinimumWork
    /// Postings from which a single query walks a list block by block, after the shorter ones (`SingleQuery`): the
    /// list classes that order a row's sum. Tests set it small, so that lists change class as a small index grows.
    public var singleQueryLongListLength = Self.defaultSingleQueryLongListLength
    public static let defaultSingleQueryParallelMinimumWork = Int.max
    public static let defaultSingleQueryLongListLength = 512

    public init(
        denseHeadTerms: Int = 64, denseHeadMinDocumentFraction: Double = 0.2, memoryBudgetBytes: Int = 256 << 20,
        threads: Int = 2, blockRows: Int = 0, blockColumns: Int = 0
    ) {
        self.denseHeadTerms = max(0, denseHeadTerms)
        self.denseHeadMinDocumentFraction = denseHeadMinDocumentFraction
        self.memoryBudgetBytes = memoryBudgetBytes
        self.threads = max(1, threads)
        self.blockRows = max(0, blockRows)
        self.blockColumns = max(0, blockColumns)
    }

    public static let standard = SearchConfiguration()
}
