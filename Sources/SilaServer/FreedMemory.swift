#if canImport(Glibc)
    import Glibc
#endif

/// Hands the pages that freed memory leaves inside the heap back to the kernel. A recompute builds a new index, its
/// candidate pools and an all-pairs search beside the old ones; once the old ones are gone, glibc keeps their pages
/// mapped (the heap cannot shrink past live blocks allocated later), so a server's RSS would stay at its peak until
/// it restarts. Called after those moments, on a background thread; it takes a few milliseconds.
enum FreedMemory {
    static func returnToSystem() {
        #if canImport(Glibc)
            // glibc's `malloc_trim` is not in Swift's Glibc module; looked up once (nil handle: the default scope).
            _ = trim?(0)
        #endif
    }

    #if canImport(Glibc)
        private typealias MallocTrim = @convention(c) (Int) -> Int32
        private static let trim: MallocTrim? = dlsym(nil, "malloc_trim").map { unsafeBitCast($0, to: MallocTrim.self) }
    #endif
}
