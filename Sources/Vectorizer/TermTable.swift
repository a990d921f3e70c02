import CPrefetch
import Foundation

/// Interns terms by their UTF-8 bytes: term → dense id (0, 1, 2, … in order of first insertion) and back.
///
/// The vectorizer's hot path. Terms are compared as bytes, like scikit-learn compares Python strings, and not by
/// Swift's `String ==`, which merges canonically equivalent spellings (U+0623 and U+0627 U+0654 are one Swift string
/// but two scikit-learn terms). Hashing bytes also skips the normalization that hashing a non-ASCII `String` costs.
///
/// Layout: every term's bytes back to back in one array (no allocation per term), and an open-addressing slot array
/// (linear probing, at most half full) of 32-byte slots aligned to cache lines. A slot holds the term's first 24
/// bytes, its length, 16 bits of its hash and its id, so a lookup of a term of up to 24 bytes (practically every
/// Arabic stem) reads one cache line; longer terms compare their remaining bytes in the storage array.
///
/// Lookups are bound by cache misses (a vocabulary of 60,000 terms spreads over megabytes of slots), so the hot
/// callers work in batches: `key(_:)` and `prefetch(_:)` for every term of the batch, then `insert(_:term:)`, so
/// that the batch's misses overlap instead of being waited for one by one.
struct TermTable: Sendable {
    /// All terms' UTF-8 bytes, back to back; term `id` is `storage[starts[id]..<starts[id + 1]]`.
    private var storage: [UInt8] = []
    private var starts: [Int] = [0]
    private var slots: SlotArray

    init(minimumCapacity: Int = 0) {
        slots = SlotArray(count: Self.slotCount(for: minimumCapacity))
        starts.reserveCapacity(minimumCapacity + 1)
    }

    /// The smallest power of two ≥ 16 that holds `terms` at most half full.
    private static func slotCount(for terms: Int) -> Int {
        var slotCount = 16
        while slotCount < 2 * terms { slotCount *= 2 }
        return slotCount
    }

    /// Number of distinct terms.
    var count: Int { starts.count - 1 }

    /// Makes room for `terms` terms in all without growing again.
    mutating func reserveCapacity(_ terms: Int) {
        starts.reserveCapacity(terms + 1)
        let wanted = Self.slotCount(for: terms)
        if wanted > slots.count { rehash(slotCount: wanted) }
    }

    /// The id of `term`, or `nil` when it was never inserted.
    @inline(__always)
    func id(of term: String) -> UInt32? {
        withUTF8(term) { id(ofBytes: $0) }
    }

    @inline(__always)
    func id(ofBytes bytes: UnsafeBufferPointer<UInt8>) -> UInt32? {
        find(Key(bytes), bytes: bytes).id
    }

    /// The id of `term`, inserting it with the next id when new.
    @inline(__always)
    mutating func insert(_ term: String) -> UInt32 {
        withUTF8(term) { insert(bytes: $0) }
    }

    mutating func insert(bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let key = Key(bytes)
        let found = find(key, bytes: bytes)
        if let id = found.id { return id }
        return add(key, bytes: bytes, at: found.slot)
    }

    /// The lookup key of `term` (hash, inline bytes, length): compute it once per occurrence, `prefetch` it, then
    /// `insert(_:term:)` or `id(of:term:)` with it.
    @inline(__always)
    static func key(_ term: String) -> Key {
        withUTF8(term) { Key($0) }
    }

    /// Starts loading the cache line of `key`'s first slot.
    @inline(__always)
    func prefetch(_ key: Key) {
        sila_prefetch(slots.base + (Int(truncatingIfNeeded: key.hash) & slots.mask))
    }

    /// `insert(term)` with the term's precomputed key.
    @inline(__always)
    mutating func insert(_ key: Key, term: String) -> UInt32 {
        if key.count <= Key.inlineBytes {
            let found = find(key, bytes: nil)
            if let id = found.id { return id }
            return withUTF8(term) { add(key, bytes: $0, at: found.slot) }
        }
        return withUTF8(term) { bytes in
            let found = find(key, bytes: bytes)
            return found.id ?? add(key, bytes: bytes, at: found.slot)
        }
    }

    /// `id(of: term)` with the term's precomputed key.
    @inline(__always)
    func id(of key: Key, term: String) -> UInt32? {
        key.count <= Key.inlineBytes ? find(key, bytes: nil).id : withUTF8(term) { find(key, bytes: $0).id }
    }

    /// Inserts every term of `other`, in its id order, and returns the id here of each of `other`'s ids (merging
    /// counters).
    mutating func insert(contentsOf other: TermTable) -> [UInt32] {
        reserveCapacity(count + other.count)
        return other.storage.withUnsafeBufferPointer { storage in
            insertAll(other.count) { UnsafeBufferPointer(rebasing: storage[other.starts[$0]..<other.starts[$0 + 1]]) }
        }
    }

    /// A table of the terms `ids` of `source`: `ids[i]` gets id `i` here.
    /// - Precondition: `ids` are distinct ids of `source`.
    init(_ source: TermTable, ids: [Int]) {
        self.init(minimumCapacity: ids.count)
        storage.reserveCapacity(ids.reduce(0) { $0 + source.starts[$1 + 1] - source.starts[$1] })
        _ = source.storage.withUnsafeBufferPointer { sourceStorage in
            insertAll(ids.count) {
                UnsafeBufferPointer(rebasing: sourceStorage[source.starts[ids[$0]]..<source.starts[ids[$0] + 1]])
            }
        }
    }

    /// Inserts the terms `bytes(0)`, `bytes(1)`, … `bytes(count - 1)` a batch at a time (keys and prefetches first,
    /// then the lookups), returning their ids.
    private mutating func insertAll(_ count: Int, bytes: (Int) -> UnsafeBufferPointer<UInt8>) -> [UInt32] {
        let batchSize = 32
        var ids = [UInt32]()
        ids.reserveCapacity(count)
        withUnsafeTemporaryAllocation(of: Key.self, capacity: batchSize) { keys in
            var start = 0
            while start < count {
                let batch = min(batchSize, count - start)
                for offset in 0..<batch {
                    let key = Key(bytes(start + offset))
                    prefetch(key)
                    keys[offset] = key
                }
                for offset in 0..<batch {
                    let termBytes = bytes(start + offset)
                    let found = find(keys[offset], bytes: termBytes)
                    ids.append(found.id ?? add(keys[offset], bytes: termBytes, at: found.slot))
                }
                start += batch
            }
        }
        return ids
    }

    /// Appends a new term whose key was not found, into the empty slot `slot` that the search ended on.
    private mutating func add(_ key: Key, bytes: UnsafeBufferPointer<UInt8>, at slot: Int) -> UInt32 {
        precondition(count < Int(UInt32.max) - 1, "more than 4 billion distinct terms")
        let id = UInt32(count)
        storage.append(contentsOf: bytes)
        starts.append(storage.count)
        if !isKnownUniquelyReferenced(&slots) { slots = slots.copy() }
        slots.base[slot] = Slot(key, id: id)
        if 2 * count > slots.count { rehash(slotCount: slots.count * 2) }
        return id
    }

    /// The term with id `id`.
    func term(_ id: UInt32) -> String {
        withBytes(of: id) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the UTF-8 bytes of term `id`.
    func withBytes<Result>(of id: UInt32, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        let range = starts[Int(id)]..<starts[Int(id) + 1]
        return try storage.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// The slot holding the key's term (with its id), or the empty slot where it would go. `bytes` (the whole
    /// term) is read only for terms longer than the slot's inline bytes.
    @inline(__always)
    private func find(_ key: Key, bytes: UnsafeBufferPointer<UInt8>?) -> (slot: Int, id: UInt32?) {
        let slots = self.slots.base
        let mask = self.slots.mask
        var slot = Int(truncatingIfNeeded: key.hash) & mask
        while true {
            let entry = slots[slot]
            if entry.id == 0 { return (slot, nil) }
            if entry.lengthAndTag == key.lengthAndTag, entry.word0 == key.word0, entry.word1 == key.word1,
                entry.word2 == key.word2, key.count <= Key.inlineBytes || sameTail(id: Int(entry.id) - 1, as: bytes!)
            {
                return (slot, entry.id - 1)
            }
            slot = (slot + 1) & mask
        }
    }

    /// Whether term `id` has the given bytes after the inline ones (its inline bytes and length already matched).
    private func sameTail(id: Int, as bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[id]
        guard starts[id + 1] - start == bytes.count else { return false }
        return storage.withUnsafeBufferPointer { storage in
            memcmp(storage.baseAddress! + start + Key.inlineBytes, bytes.baseAddress! + Key.inlineBytes,
                bytes.count - Key.inlineBytes) == 0
        }
    }

    /// Re-places every entry in a new slot array of `slotCount` slots (rare, amortized over the insertions). The
    /// slot index comes from hash bits the slot does not keep: a term of up to 24 bytes is re-hashed from its slot,
    /// a longer one from its bytes in storage.
    private mutating func rehash(slotCount: Int) {
        let newSlots = SlotArray(count: slotCount)
        let mask = newSlots.mask
        storage.withUnsafeBufferPointer { storage in
            for index in 0..<slots.count where slots.base[index].id != 0 {
                let entry = slots.base[index]
                let length = Int(entry.lengthAndTag >> 16)
                let hash: UInt64
                if length <= Key.inlineBytes {
                    hash = Key.hash(entry.word0, entry.word1, entry.word2, count: length, bytes: nil)
                } else {
                    let id = Int(entry.id) - 1
                    let bytes = UnsafeBufferPointer(rebasing: storage[starts[id]..<starts[id + 1]])
                    hash = Key.hash(entry.word0, entry.word1, entry.word2, count: bytes.count, bytes: bytes)
                }
                var slot = Int(truncatingIfNeeded: hash) & mask
                while newSlots.base[slot].id != 0 { slot = (slot + 1) & mask }
                newSlots.base[slot] = entry
            }
        }
        slots = newSlots
    }

    /// One entry of the slot array (32 bytes); `id` 0 marks an empty slot.
    fileprivate struct Slot {
        var word0: UInt64 = 0
        var word1: UInt64 = 0
        var word2: UInt64 = 0
        /// id + 1.
        var id: UInt32 = 0
        /// min(length, 65535) << 16 | 16 bits of the hash.
        var lengthAndTag: UInt32 = 0

        init() {}

        init(_ key: Key, id: UInt32) {
            (word0, word1, word2) = (key.word0, key.word1, key.word2)
            self.id = id + 1
            lengthAndTag = key.lengthAndTag
        }
    }

    /// What the slots compare: the term's first 24 bytes (encoded one-to-one for a given length), its length and
    /// tag; and the hash that places it.
    struct Key {
        static let inlineBytes = 24
        let word0: UInt64
        let word1: UInt64
        let word2: UInt64
        let hash: UInt64
        let lengthAndTag: UInt32
        let count: Int

        @inline(__always)
        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            let count = bytes.count
            var (word0, word1, word2): (UInt64, UInt64, UInt64) = (0, 0, 0)
            if let base = bytes.baseAddress {
                let raw = UnsafeRawPointer(base)
                // Overlapping loads cover every byte at positions fixed by the length: one-to-one for a given length.
                switch count {
                case 0: break
                case 1..<4:
                    word0 = UInt64(base[0]) | UInt64(base[count / 2]) << 8 | UInt64(base[count - 1]) << 16
                case 4..<8:
                    word0 = UInt64(raw.loadUnaligned(as: UInt32.self))
                        | UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)) << 32
                case 8...16:
                    word0 = raw.loadUnaligned(as: UInt64.self)
                    word1 = raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                case 17...24:
                    word0 = raw.loadUnaligned(as: UInt64.self)
                    word1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                    word2 = raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                default:
                    word0 = raw.loadUnaligned(as: UInt64.self)
                    word1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                    word2 = raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
                }
            }
            let h = Self.hash(word0, word1, word2, count: count, bytes: bytes)
            (self.word0, self.word1, self.word2) = (word0, word1, word2)
            self.hash = h
            self.count = count
            self.lengthAndTag = UInt32(min(count, 0xFFFF)) << 16 | UInt32(truncatingIfNeeded: h >> 48)
        }

        /// The hash of a term from its inline words and length; `bytes` (the whole term) is read only past the
        /// inline bytes, so a term of up to 24 bytes hashes from its slot alone (`TermTable.rehash`).
        @inline(__always)
        static func hash(_ word0: UInt64, _ word1: UInt64, _ word2: UInt64, count: Int, bytes: UnsafeBufferPointer<UInt8>?)
            -> UInt64
        {
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(count)
            h = (h ^ word0) &* 0xFF51_AFD7_ED55_8CCD
            if count > 8 {
                h ^= h >> 29
                h = (h ^ word1) &* 0xC4CE_B9FE_1A85_EC53
            }
            if count > 16 {
                h ^= h >> 29
                h = (h ^ word2) &* 0xFF51_AFD7_ED55_8CCD
            }
            if count > inlineBytes, let base = bytes?.baseAddress {
                let raw = UnsafeRawPointer(base)
                var offset = inlineBytes
                while offset < count {
                    // The last word overlaps the previous one (count > 24 here): shift the repeated bytes out.
                    let word =
                        offset + 8 <= count
                        ? raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                        : raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) >> (8 * UInt64(offset + 8 - count))
                    h ^= h >> 29
                    h = (h ^ word) &* 0xC4CE_B9FE_1A85_EC53
                    offset += 8
                }
            }
            h ^= h >> 33
            h &*= 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 33
            return h
        }
    }
}

/// The slot array: cache-line aligned, so that a 32-byte slot never straddles two lines. Shared between copies of
/// a table until one of them inserts (copy on write, checked in `TermTable.add`).
private final class SlotArray: @unchecked Sendable {
    let base: UnsafeMutablePointer<TermTable.Slot>
    let count: Int
    var mask: Int { count - 1 }

    /// `count` empty slots; `count` is a power of two.
    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<TermTable.Slot>.stride, alignment: 64)
        base = raw.initializeMemory(as: TermTable.Slot.self, repeating: TermTable.Slot(), count: count)
    }

    func copy() -> SlotArray {
        let copy = SlotArray(count: count)
        copy.base.update(from: base, count: count)
        return copy
    }

    deinit { base.deallocate() }
}

/// Calls `body` with the UTF-8 bytes of `text` without copying them (native Swift strings are contiguous UTF-8;
/// small strings are spilled to the stack).
@inline(__always)
func withUTF8<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
    if let result = try text.utf8.withContiguousStorageIfAvailable(body) { return result }
    var copy = text
    copy.makeContiguousUTF8()
    return try copy.utf8.withContiguousStorageIfAvailable(body)!
}
