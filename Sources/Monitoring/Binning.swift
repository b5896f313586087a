import Foundation

/// Evidently's `get_binned_data`: the share of each sample per bucket.
///
/// Numbers with more than 20 distinct reference values go into numpy's
/// "sturges" bins over both samples together (`⌈ptp / (ptp / (log₂ N + 1))⌉`
/// equal bins from the pooled min to max, the last bin closed); anything else
/// is counted per distinct value. With `fillZeros` (PSI), empty buckets get
/// `min(non-zero share) / 10⁶` when that minimum is ≤ 0.0001, else 0.0001.
public enum Binning {
    /// `(reference shares, current shares)`, one entry per bucket.
    public static func shares(reference: FeatureSample, current: FeatureSample,
                              fillZeros: Bool) -> (reference: [Double], current: [Double]) {
        var ref: [Double], cur: [Double]
        if case .numeric(let r) = reference, case .numeric(let c) = current,
           FeatureSample.distinctCount(reference, .numeric([]), cappedAt: 20) > 20 {
            let edges = sturgesEdges(r, c)
            ref = histogram(r, edges).map { $0 / Double(r.count) }
            cur = histogram(c, edges).map { $0 / Double(c.count) }
        } else {
            let (a, b) = reference.jointCounts(current)
            ref = a.map { $0 / Double(reference.count) }
            cur = b.map { $0 / Double(current.count) }
        }
        if fillZeros {
            fill(&ref)
            fill(&cur)
        }
        return (ref, cur)
    }

    /// `np.histogram_bin_edges(concat(a, b), bins="sturges")`.
    public static func sturgesEdges(_ a: [Double], _ b: [Double]) -> [Double] {
        var lo = Double.infinity, hi = -Double.infinity
        for x in a { lo = min(lo, x); hi = max(hi, x) }
        for x in b { lo = min(lo, x); hi = max(hi, x) }
        let n = Double(a.count + b.count)
        var bins = 1
        if lo == hi {
            lo -= 0.5
            hi += 0.5
        } else {
            let width = (hi - lo) / (log2(n) + 1.0)
            bins = Int(((hi - lo) / width).rounded(.up))
        }
        // np.linspace(lo, hi, bins + 1): i·step + lo, the last edge exactly hi.
        let step = (hi - lo) / Double(bins)
        var edges = (0...bins).map { Double($0) * step + lo }
        edges[bins] = hi
        return edges
    }

    /// `np.histogram(values, edges)[0]`: bin i holds edgesᵢ ≤ x < edgesᵢ₊₁, the
    /// last bin also x = the last edge; values outside are not counted.
    public static func histogram(_ values: [Double], _ edges: [Double]) -> [Double] {
        let bins = edges.count - 1
        var counts = [Double](repeating: 0, count: bins)
        guard let first = edges.first, let last = edges.last else { return counts }
        for x in values where x >= first && x <= last {
            // Number of edges ≤ x, minus one.
            var lo = 0, hi = edges.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if edges[mid] <= x { lo = mid + 1 } else { hi = mid }
            }
            counts[min(lo - 1, bins - 1)] += 1
        }
        return counts
    }

    private static func fill(_ shares: inout [Double]) {
        guard let smallest = shares.filter({ $0 != 0 }).min() else { return }
        let value = smallest <= 0.0001 ? smallest / 1e6 : 0.0001
        for i in shares.indices where shares[i] == 0 { shares[i] = value }
    }
}

/// Evidently's Jensen–Shannon distance (`jensenshannon.py`): scipy's
/// `distance.jensenshannon` (natural log) of the binned shares, without zero filling.
public enum JensenShannon {
    /// `√((KL(p‖m) + KL(q‖m)) / 2)` with `m = (p + q)/2`, p and q normalized to sum 1.
    public static func distance(reference: FeatureSample, current: FeatureSample) -> Double {
        let (p0, q0) = Binning.shares(reference: reference, current: current, fillZeros: false)
        let sp = p0.reduce(0, +), sq = q0.reduce(0, +)
        var js = 0.0
        for i in p0.indices {
            let p = p0[i] / sp, q = q0[i] / sq
            let m = (p + q) / 2
            js += relativeEntropy(p, m) + relativeEntropy(q, m)
        }
        return (js / 2).squareRoot()
    }

    /// scipy's `rel_entr`: x·ln(x/y), 0 when x = 0.
    static func relativeEntropy(_ x: Double, _ y: Double) -> Double {
        if x > 0 && y > 0 { return x * log(x / y) }
        if x == 0 && y >= 0 { return 0 }
        return .infinity
    }
}

/// Evidently's population stability index (`psi.py`): Σ (r − c)·ln(r / c) over the
/// binned shares, empty buckets filled (see ``Binning``).
public enum PopulationStability {
    /// The PSI.
    public static func index(reference: FeatureSample, current: FeatureSample) -> Double {
        let (r, c) = Binning.shares(reference: reference, current: current, fillZeros: true)
        var psi = 0.0
        for i in r.indices { psi += (r[i] - c[i]) * log(r[i] / c[i]) }
        return psi
    }
}
