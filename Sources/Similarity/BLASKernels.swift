import CBLAS

/// The only place that calls OpenBLAS: the dense part of the score computation.
enum BLASKernels {
    /// scores (rows × columns, row-major, leading dimension `ldScores`) = queries (rows × depth) · documentsᵀ,
    /// where documents is (columns × depth); all row-major. Overwrites `scores`.
    static func scoreBlock(
        queries: UnsafePointer<Float>, rows: Int, documents: UnsafePointer<Float>, columns: Int, depth: Int,
        scores: UnsafeMutablePointer<Float>, ldScores: Int
    ) {
        // BLAS does not accept empty matrices.
        guard rows > 0, columns > 0, depth > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(columns), Int32(depth), 1, queries,
            Int32(depth), documents, Int32(depth), 0, scores, Int32(ldScores))
    }

    /// Keeps OpenBLAS from starting its own threads inside our worker threads.
    static func useSingleThreadedBLAS() {
        openblas_set_num_threads(1)
    }
}
