extension QuantileSketch {
    /// Adds the finite `values`: the same sketch as adding them one
    /// by one (bucket counts depend only on the multiset and the final
    /// largest bucket), in two passes: the bucket keys and each sign's key
    /// range, then — once the stores span those ranges — the counts
    /// incremented in place. Keys below a store's lowest kept bucket (the
    /// store spans more than ``maxBuckets``) are counted in that bucket, as
    /// one-by-one adds fold them.
    mutating func add(contentsOf values: UnsafeBufferPointer<Double>) {
        var keys: [Int] = []
        add(contentsOf: values, keys: &keys)
    }

    /// ``add(contentsOf:)`` with `keys` as the reused buffer of the keys
    /// (grown to `values.count` when shorter; a fresh one would be paged in
    /// on every call).
    mutating func add(contentsOf values: UnsafeBufferPointer<Double>, keys: inout [Int]) {
        guard !values.isEmpty else { return }
        if keys.count < values.count { keys = [Int](repeating: 0, count: values.count) }
        let m = multiplier, margin = SketchIndex.margin(multiplier: m)
        var zeros: UInt64 = 0, negAdded: UInt64 = 0
        var posLow = Int.max, posHigh = Int.min, negLow = Int.max, negHigh = Int.min
        // Branch-free on the sign (mixed signs would mispredict half the time): selects, not ifs.
        keys.withUnsafeMutableBufferPointer { keys in
            SketchIndex.table.withUnsafeBufferPointer { table in
                for (j, x) in values.enumerated() {
                    guard x != 0 else { zeros &+= 1; keys[j] = 0; continue }
                    let negative = x < 0
                    let k = SketchIndex.index(Swift.abs(x), multiplier: m, margin: margin, table: table)
                    posLow = Swift.min(posLow, negative ? Int.max : k)
                    posHigh = Swift.max(posHigh, negative ? Int.min : k)
                    negLow = Swift.min(negLow, negative ? k : Int.max)
                    negHigh = Swift.max(negHigh, negative ? k : Int.min)
                    negAdded &+= negative ? 1 : 0
                    keys[j] = k
                }
            }
        }
        let posAdded = UInt64(values.count) - zeros - negAdded
        // Largest first, so a fold happens once, then the lowest (clamped to the lowest kept).
        if posAdded > 0 { positive.add(posHigh, 0); positive.add(posLow, 0) }
        if negAdded > 0 { negative.add(negHigh, 0); negative.add(negLow, 0) }
        // Taken out so the bucket arrays are uniquely referenced (no copy on write).
        var pos = positive, neg = negative
        positive = BucketStore()
        negative = BucketStore()
        let posOffset = pos.offset, negOffset = neg.offset
        keys.withUnsafeBufferPointer { keys in
            pos.counts.withUnsafeMutableBufferPointer { pc in
                neg.counts.withUnsafeMutableBufferPointer { nc in
                    for (j, x) in values.enumerated() where x != 0 {
                        let negative = x < 0
                        let i = keys[j] &- (negative ? negOffset : posOffset)
                        // Keys below a folded store's lowest kept bucket count in that bucket.
                        (negative ? nc : pc)[Swift.max(i, 0)] &+= 1
                    }
                }
            }
        }
        pos.total += posAdded
        neg.total += negAdded
        positive = pos
        negative = neg
        zeroCount += zeros
    }
}
