extension QuantileSketch {
    /// Adds the finite `values`, whose smallest is `lo` and largest `hi`: the
    /// same sketch as adding them one by one (bucket counts depend only on
    /// the multiset), in one pass that increments the bucket arrays in place.
    ///
    /// The stores are first widened to the buckets of the extreme values (of
    /// both signs' largest magnitudes, and of the smallest when all values
    /// share a sign), so nearly every value lands inside; the few outside
    /// (small magnitudes of a batch with both signs, or below a folded
    /// store's lowest bucket) are added one by one afterwards.
    mutating func add(contentsOf values: UnsafeBufferPointer<Double>, min lo: Double, max hi: Double) {
        guard !values.isEmpty else { return }
        if hi > 0 {
            positive.add(key(hi), 0)
            if lo > 0 { positive.add(key(lo), 0) }
        }
        if lo < 0 {
            negative.add(key(-lo), 0)
            if hi < 0 { negative.add(key(-hi), 0) }
        }
        let m = multiplier, margin = SketchIndex.margin(multiplier: m)
        // Taken out so the bucket arrays are uniquely referenced (no copy on write).
        var pos = positive, neg = negative
        positive = BucketStore()
        negative = BucketStore()
        var zeros: UInt64 = 0, posAdded: UInt64 = 0, negAdded: UInt64 = 0
        var outside: [Double] = []
        let posOffset = pos.offset, negOffset = neg.offset
        SketchIndex.table.withUnsafeBufferPointer { table in
            pos.counts.withUnsafeMutableBufferPointer { pc in
                neg.counts.withUnsafeMutableBufferPointer { nc in
                    for x in values {
                        if x > 0 {
                            let i = SketchIndex.index(x, multiplier: m, margin: margin, table: table) - posOffset
                            if i >= 0 && i < pc.count { pc[i] &+= 1; posAdded &+= 1 } else { outside.append(x) }
                        } else if x < 0 {
                            let i = SketchIndex.index(-x, multiplier: m, margin: margin, table: table) - negOffset
                            if i >= 0 && i < nc.count { nc[i] &+= 1; negAdded &+= 1 } else { outside.append(x) }
                        } else {
                            zeros &+= 1
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
        for x in outside { add(x) }
    }
}
