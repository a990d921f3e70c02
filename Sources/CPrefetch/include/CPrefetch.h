#ifndef SILA_CPREFETCH_H
#define SILA_CPREFETCH_H

/// Asks the CPU to start loading the cache line at `address` (a hint: no fault, no effect on results). Swift has
/// no prefetch of its own; the vectorizer's hash-table lookups are bound by cache misses, and issuing the misses of
/// a batch of terms together overlaps them.
static inline void sila_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
