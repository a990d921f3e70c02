/// A read-only set of short words looked up by their UTF-8 bytes, for the hot path of stopword and protected-word
/// checks: hashing borrowed bytes avoids building a `String` per token, and the open-addressing table (load ≤ 1/2,
/// FNV-1a hash, linear probing, a 16-bit hash tag per slot) answers most lookups with one slot read and one short
/// byte comparison.
///
/// The hot path goes through `View`, a trivially copyable set of pointers made once per text by
/// `withUnsafeView(_:)`, so a lookup costs no reference counting.
struct ByteWordSet: Sendable {
    /// All words, back to back, after one unused byte (so the storage is never empty and offset 0 is never a word).
    private let storage: [UInt8]
    /// One slot per power-of-two position: `offset << 32 | length << 16 | hash tag`, 0 for an empty slot.
    private let slots: [UInt64]
    private let mask: Int

    private static let minimumCapacity = 8

    init(_ words: some Sequence<String>) {
        let unique = Array(Set(words.filter { !$0.isEmpty && $0.utf8.count < 1 << 16 }))
        var capacity = Self.minimumCapacity
        while capacity < unique.count * 2 { capacity *= 2 }
        var storage: [UInt8] = [0]
        var slots = [UInt64](repeating: 0, count: capacity)
        for word in unique {
            let bytes = Array(word.utf8)
            let hash = bytes.withUnsafeBufferPointer(Self.hash)
            var slot = Int(truncatingIfNeeded: hash) & (capacity - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
            slots[slot] = UInt64(storage.count) << 32 | UInt64(bytes.count) << 16 | Self.tag(hash)
            storage.append(contentsOf: bytes)
        }
        self.storage = storage
        self.slots = slots
        self.mask = capacity - 1
    }

    static let empty = ByteWordSet([])

    /// Whether `word` is in the set (convenience; the hot path uses `View`).
    func contains(_ word: String) -> Bool {
        var word = word
        return word.withUTF8 { bytes in withUnsafeView { $0.contains(bytes) } }
    }

    /// Calls `body` with a pointer view of the set, valid only during the call.
    func withUnsafeView<Result>(_ body: (View) -> Result) -> Result {
        storage.withUnsafeBufferPointer { storage in
            slots.withUnsafeBufferPointer { slots in
                body(View(storage: storage.baseAddress!, slots: slots.baseAddress!, mask: mask))
            }
        }
    }

    /// The set as plain pointers: copying it costs nothing.
    struct View {
        let storage: UnsafePointer<UInt8>
        let slots: UnsafePointer<UInt64>
        let mask: Int

        /// Whether `word` (UTF-8 bytes) is in the set.
        @inline(__always)
        func contains(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
            guard !word.isEmpty else { return false }
            let hash = ByteWordSet.hash(word)
            let key = UInt64(word.count) << 16 | ByteWordSet.tag(hash)
            var slot = Int(truncatingIfNeeded: hash) & mask
            while true {
                let entry = slots[slot]
                if entry == 0 { return false }
                if entry & 0xFFFF_FFFF == key, Self.equal(storage + Int(entry >> 32), word) { return true }
                slot = (slot + 1) & mask
            }
        }

        /// Byte comparison inlined for short words, where a `memcmp` call costs more than the loop.
        @inline(__always)
        private static func equal(_ stored: UnsafePointer<UInt8>, _ word: UnsafeBufferPointer<UInt8>) -> Bool {
            for index in 0..<word.count where stored[index] != word[index] { return false }
            return true
        }
    }

    /// FNV-1a, 64 bits: simple, and fast enough for words of a few bytes.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }

    /// 16 high bits of the hash, never 0, stored in the slot to skip most byte comparisons.
    @inline(__always)
    static func tag(_ hash: UInt64) -> UInt64 { (hash >> 48) | 1 }
}
