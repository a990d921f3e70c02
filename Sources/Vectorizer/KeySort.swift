/// In-place introsort for the vectorizer's (term id, is-title) keys: quicksort with a median-of-three pivot,
/// insertion sort below 16 keys, heapsort past a depth of 2 log₂ n. O(n log n) on any input (documents come from
/// outside) and, unlike the standard library's stable sort, no heap allocation.
func sortKeys(_ keys: UnsafeMutableBufferPointer<UInt64>) {
    guard keys.count > 1 else { return }
    introsort(keys, low: 0, high: keys.count, depthLimit: 2 * (Int.bitWidth - keys.count.leadingZeroBitCount))
}

private func introsort(_ keys: UnsafeMutableBufferPointer<UInt64>, low: Int, high: Int, depthLimit: Int) {
    var (low, high, depthLimit) = (low, high, depthLimit)
    while high - low > 16 {
        if depthLimit == 0 {
            heapsort(keys, low: low, high: high)
            return
        }
        depthLimit -= 1
        let split = partition(keys, low: low, high: high)
        // Recurse into the smaller side, loop on the larger: the stack stays O(log n).
        if split - low < high - split {
            introsort(keys, low: low, high: split, depthLimit: depthLimit)
            low = split
        } else {
            introsort(keys, low: split, high: high, depthLimit: depthLimit)
            high = split
        }
    }
    for index in (low + 1)..<max(low + 1, high) {
        let key = keys[index]
        var position = index
        while position > low, keys[position - 1] > key {
            keys[position] = keys[position - 1]
            position -= 1
        }
        keys[position] = key
    }
}

/// Hoare partition around the median of the first, middle and last keys, moved to `low`: afterwards every key in
/// low..<split is ≤ every key in split..<high, and low < split < high.
private func partition(_ keys: UnsafeMutableBufferPointer<UInt64>, low: Int, high: Int) -> Int {
    let middle = low + (high - low) / 2
    if keys[middle] < keys[low] { keys.swapAt(middle, low) }
    if keys[high - 1] < keys[low] { keys.swapAt(high - 1, low) }
    if keys[high - 1] < keys[middle] { keys.swapAt(high - 1, middle) }
    keys.swapAt(low, middle)
    let pivot = keys[low]
    var i = low - 1
    var j = high
    while true {
        repeat { i += 1 } while keys[i] < pivot
        repeat { j -= 1 } while keys[j] > pivot
        if i >= j { return j + 1 }
        keys.swapAt(i, j)
    }
}

private func heapsort(_ keys: UnsafeMutableBufferPointer<UInt64>, low: Int, high: Int) {
    let count = high - low
    func siftDown(_ start: Int, _ end: Int) {
        var root = start
        while 2 * root + 1 < end {
            var child = 2 * root + 1
            if child + 1 < end, keys[low + child] < keys[low + child + 1] { child += 1 }
            guard keys[low + root] < keys[low + child] else { return }
            keys.swapAt(low + root, low + child)
            root = child
        }
    }
    for start in stride(from: count / 2 - 1, through: 0, by: -1) { siftDown(start, count) }
    for end in stride(from: count - 1, to: 0, by: -1) {
        keys.swapAt(low, low + end)
        siftDown(0, end)
    }
}
