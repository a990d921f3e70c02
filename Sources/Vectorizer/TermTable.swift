import Foundation

/// Interns terms by their UTF-8 bytes: term → dense id (0, 1, 2, … in order of first insertion) and back.
///
/// The vectorizer's hot path. Terms are compared as bytes, like scikit-learn compares Python strings, and not by
/// Swift's `String ==`, which merges canonically equivalent spellings (U+0623 and U+0627 U+0654 are one Swift string
/// but two scikit-learn terms). Hashing bytes also skips the normalization that hashing a non-ASCII `String` costs.
///
/// Layout: every term's bytes back to back in one array (no allocation per term), and an open-addressing slot array
/// (linear probing, at most half full). A slot holds the term's first 8 bytes, its length, 16 bits of its hash and
/// its id, so a lookup of a term of up to 8 bytes (most Arabic stems: 2–4 letters of 2 bytes) reads one cache line;
/// longer terms compare their remaining bytes in the storage array.
struct TermTable: Sendable {
    /// One entry of the slot array; `id` 0 marks an empty slot.
    private struct Slot {
        /// The term's first 8 bytes; for shorter terms another encoding that, given the length, is one-to-one.
        var prefix: UInt64 = 0
        /// id + 1.
        var id: UInt32 = 0
        /// min(length, 65535) << 16 | 16 bits of the hash.
        var lengthAndTag: UInt32 = 0
    }

    /// All terms' UTF-8 bytes, back to back; term `id` is `storage[starts[id]..<starts[id + 1]]`.
    private var storage: [UInt8] = []
    private var starts: [Int] = [0]
    /// The count is a power of two.
    private var slots: [Slot]

    init(minimumCapacity: Int = 0) {
        var slotCount = 16
        while slotCount < 2 * minimumCapacity { slotCount *= 2 }
        slots = [Slot](repeating: Slot(), count: slotCount)
        starts.reserveCapacity(minimumCapacity + 1)
    }

    /// Number of distinct terms.
    var count: Int { starts.count - 1 }

    /// The id of `term`, or `nil` when it was never inserted.
    @inline(__always)
    func id(of term: String) -> UInt32? {
        withUTF8(term) { id(ofBytes: $0) }
    }

    @inline(__always)
    func id(ofBytes bytes: UnsafeBufferPointer<UInt8>) -> UInt32? {
        find(Key(bytes)).id
    }

    /// The id of `term`, inserting it with the next id when new.
    @inline(__always)
    mutating func insert(_ term: String) -> UInt32 {
        withUTF8(term) { insert(bytes: $0) }
    }

    mutating func insert(bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let key = Key(bytes)
        let found = find(key)
        if let id = found.id { return id }
        precondition(count < Int(UInt32.max) - 1, "more than 4 billion distinct terms")
        let id = UInt32(count)
        storage.append(contentsOf: bytes)
        starts.append(storage.count)
        slots[found.slot] = Slot(prefix: key.prefix, id: id + 1, lengthAndTag: key.lengthAndTag)
        if 2 * count > slots.count { grow() }
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

    /// The slot holding the key's term (with its id), or the empty slot where it would go.
    @inline(__always)
    private func find(_ key: Key) -> (slot: Int, id: UInt32?) {
        slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: key.hash) & mask
            while true {
                let entry = slots[slot]
                if entry.id == 0 { return (slot, nil) }
                if entry.prefix == key.prefix, entry.lengthAndTag == key.lengthAndTag,
                    key.bytes.count <= 8 || sameSuffix(id: Int(entry.id) - 1, as: key.bytes)
                {
                    return (slot, entry.id - 1)
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Whether term `id` has the given bytes after the first 8 (its prefix and length already matched).
    private func sameSuffix(id: Int, as bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[id]
        guard starts[id + 1] - start == bytes.count else { return false }
        return storage.withUnsafeBufferPointer { storage in
            let (left, right) = (UnsafeRawPointer(storage.baseAddress! + start), UnsafeRawPointer(bytes.baseAddress!))
            var offset = 8
            while offset + 8 <= bytes.count {
                if left.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    != right.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                {
                    return false
                }
                offset += 8
            }
            while offset < bytes.count {
                if storage[start + offset] != bytes[offset] { return false }
                offset += 1
            }
            return true
        }
    }

    /// Doubles the slot array and re-places every entry (the slot index comes from hash bits the slot does not
    /// keep, so each term is re-hashed: rare, amortized over the insertions).
    private mutating func grow() {
        var newSlots = [Slot](repeating: Slot(), count: slots.count * 2)
        let mask = newSlots.count - 1
        storage.withUnsafeBufferPointer { storage in
            for id in 0..<count {
                let key = Key(UnsafeBufferPointer(rebasing: storage[starts[id]..<starts[id + 1]]))
                var slot = Int(truncatingIfNeeded: key.hash) & mask
                while newSlots[slot].id != 0 { slot = (slot + 1) & mask }
                newSlots[slot] = Slot(prefix: key.prefix, id: UInt32(id + 1), lengthAndTag: key.lengthAndTag)
            }
        }
        slots = newSlots
    }

    /// A term's bytes with what the slots compare: first 8 bytes, length and tag, and the hash.
    private struct Key {
        let bytes: UnsafeBufferPointer<UInt8>
        let prefix: UInt64
        let hash: UInt64
        let lengthAndTag: UInt32

        @inline(__always)
        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            let count = bytes.count
            var prefix: UInt64 = 0
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(count)
            if let base = bytes.baseAddress {
                let raw = UnsafeRawPointer(base)
                if count >= 8 {
                    prefix = raw.loadUnaligned(as: UInt64.self)
                } else if count >= 4 {
                    // Two overlapping 4-byte loads cover every byte: injective for a given length.
                    prefix = UInt64(raw.loadUnaligned(as: UInt32.self))
                        | UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)) << 32
                } else if count > 0 {
                    prefix = UInt64(base[0]) | UInt64(base[count / 2]) << 8 | UInt64(base[count - 1]) << 16
                }
                h = (h ^ prefix) &* 0xFF51_AFD7_ED55_8CCD
                var offset = 8
                while offset < count {
                    // The last word overlaps the previous one (count ≥ 8 here): shift the repeated bytes out.
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
            self.prefix = prefix
            self.hash = h
            self.lengthAndTag = UInt32(min(count, 0xFFFF)) << 16 | UInt32(truncatingIfNeeded: h >> 48)
        }
    }
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
