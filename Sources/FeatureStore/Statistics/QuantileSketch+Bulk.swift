extension QuantileSketch {
    /// Adds the finite `values`: the same sketch as adding them one
    /// by one (bucket counts depend only on the multiset and the final
    /// largest bucket), in two passes: the bucket keys and each sign's key
    /// range, then — once the stores span those ranges — the counts
    /// incremented in place. Keys below a store's lowest kept bucket (the
    /// store spans more than ``maxBuckets``) are counted in that bucket, as
    /// one-by-one adds fold them.
    mutating func add(contentsOf values: UnsafeBufferPointer<Double>) {
        guard !values.isEmpty else { return }
        let m = multiplier, margin = SketchIndex.margin(multiplier: m)
        var zeros: UInt64 = 0, posAdded: UInt64 = 0, negAdded: UInt64 = 0
        var posLow = Int.max, posHigh = Int.min, negLow = Int.max, negHigh = Int.min
        let keys = [Int](unsafeUninitializedCapacity: values.count) { keys, initialized in
            SketchIndex.table.withUnsafeBufferPointer { table in
                for (j, x) in values.enumerated() {
                    var k = 0
                    if x > 0 {
                        k = SketchIndex.index(x, multiplier: m, margin: margin, table: table)
                        posLow = Swift.min(posLow, k)
                        posHigh = Swift.max(posHigh, k)
                        posAdded &+= 1
                    } else if x < 0 {
                        k = SketchIndex.index(-x, multiplier: m, margin: margin, table: table)
                        negLow = Swift.min(negLow, k)
                        negHigh = Swift.max(negHigh, k)
                        negAdded &+= 1
                    } else {
                        zeros &+= 1
                    }
                    keys[j] = k
                }
            }
            initialized = values.count
        }
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
                    for (j, x) in values.enumerated() {
                        if x > 0 {
                            pc[Swift.max(keys[j] &- posOffset, 0)] &+= 1
                        } else if x < 0 {
                            nc[Swift.max(keys[j] &- negOffset, 0)] &+= 1
                        }
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
