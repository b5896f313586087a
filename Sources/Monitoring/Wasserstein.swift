/// Evidently's normed Wasserstein distance (`wasserstein_distance_norm.py`):
/// scipy's `wasserstein_distance` (the L1 distance between the two empirical
/// CDFs) divided by `max(std(reference), 0.001)` (population std).
public enum WassersteinDistance {
    /// The normed distance.
    public static func normed(reference: [Double], current: [Double]) -> Double {
        let n = Double(reference.count)
        var mean = 0.0
        for x in reference { mean += x }
        mean /= n
        var ss = 0.0
        for x in reference { ss += (x - mean) * (x - mean) }
        let std = (ss / n).squareRoot()
        return distance(reference, current) / max(std, 0.001)
    }

    /// `scipy.stats.wasserstein_distance(u, v)`: Σ |U(xᵢ) − V(xᵢ)|·(xᵢ₊₁ − xᵢ) over the
    /// sorted pooled values.
    public static func distance(_ u: [Double], _ v: [Double]) -> Double {
        let a = RadixSort.sorted(u), b = RadixSort.sorted(v)
        let nu = Double(a.count), nv = Double(b.count)
        var i = 0, j = 0
        var total = 0.0
        // Walk the pooled values in order; after each one, i and j count the
        // values ≤ it (searchsorted 'right'), as far as the next pooled value.
        var previous: Double? = nil
        while i < a.count || j < b.count {
            let x: Double
            if j >= b.count || (i < a.count && a[i] <= b[j]) { x = a[i] } else { x = b[j] }
            if let p = previous {
                // CDFs at p: counts of values ≤ p, which are the values consumed.
                total += abs(Double(i) / nu - Double(j) / nv) * (x - p)
            }
            while i < a.count && a[i] == x { i += 1 }
            while j < b.count && b[j] == x { j += 1 }
            previous = x
        }
        return total
    }
}
