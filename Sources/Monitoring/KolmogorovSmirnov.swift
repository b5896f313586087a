import Foundation

/// scipy's two-sample Kolmogorov–Smirnov test (`ks_2samp`, two-sided,
/// `method='auto'`), which Evidently's `ks` stattest reports as its p-value.
///
/// Mode selection as scipy: exact when both samples have at most 10 000 values
/// (the lattice-path count of Hodges/Viehmann, or the closed form when the sizes
/// are equal), falling back to asymptotic when the exact count fails; otherwise
/// asymptotic: the one-sample two-sided distribution `kstwo.sf(D, round(n·m/(n+m)))`
/// (Simard–L'Ecuyer: Ruben–Gambino, Durbin matrix, Smirnov's exact tail, Pelz–Good).
public enum KolmogorovSmirnov {
    /// The largest sample size for which `auto` tries the exact p-value.
    public static let maxExactSize = 10_000

    /// The statistic D and its two-sided p-value.
    public static func test(_ data1: [Double], _ data2: [Double]) -> (statistic: Double, pValue: Double) {
        let a = RadixSort.sorted(data1), b = RadixSort.sorted(data2)
        let n1 = a.count, n2 = b.count
        precondition(n1 > 0 && n2 > 0, "ks_2samp needs two non-empty samples")
        var d = statistic(a, b)
        let g = gcd(n1, n2)
        if max(n1, n2) <= maxExactSize {
            let lcm = (n1 / g) * n2
            let h = Int((d * Double(lcm)).rounded(.toNearestOrEven))
            d = Double(h) / Double(lcm)
            if h == 0 { return (d, 1) }
            let p = n1 == n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h)
            if p.isFinite && p >= 0 && p <= 1 { return (d, p) }
        }
        let m = Double(max(n1, n2)), n = Double(min(n1, n2))
        let en = (m * n / (m + n)).rounded(.toNearestOrEven)
        return (d, min(max(KolmogorovDistribution.sf(n: Int(en), x: d), 0), 1))
    }

    /// max over pooled values of |F₁ − F₂| (as scipy: max(maxS, clip(−minS, 0, 1))).
    static func statistic(_ a: [Double], _ b: [Double]) -> Double {
        let n1 = Double(a.count), n2 = Double(b.count)
        var i = 0, j = 0
        var maxS = -Double.infinity, minS = Double.infinity
        while i < a.count || j < b.count {
            let x: Double
            if j >= b.count || (i < a.count && a[i] <= b[j]) { x = a[i] } else { x = b[j] }
            while i < a.count && a[i] == x { i += 1 }
            while j < b.count && b[j] == x { j += 1 }
            let diff = Double(i) / n1 - Double(j) / n2
            maxS = max(maxS, diff)
            minS = min(minS, diff)
        }
        let low = min(max(-minS, 0), 1)
        return low > maxS ? low : maxS
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }

    /// scipy `_compute_prob_outside_square(n, h)`: equal sample sizes.
    static func probOutsideSquare(_ n: Int, _ h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var p1 = 1.0
            for j in 0..<h {
                p1 = Double(n - k * h - j) * p1 / Double(n + k * h + j + 1)
            }
            p = p1 * (1.0 - p)
            k -= 1
        }
        return 2 * p
    }

    /// scipy `_compute_outer_prob_inside_method(m, n, g, h)`: 1 − the share of
    /// lattice paths staying strictly inside the band (Viehmann's recursion).
    static func outerProbInside(_ m0: Int, _ n0: Int, _ g: Int, _ h: Int) -> Double {
        let (m, n) = m0 < n0 ? (n0, m0) : (m0, n0)
        let mg = m / g, ng = n / g
        var minj = 0
        var maxj = min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var curlen = maxj - minj
        let lenA = min(2 * maxj + 2, n + 1)
        var A = [Double](repeating: 1, count: lenA)
        for j in minj..<maxj { A[j] = 0 }
        for i in 1...m {
            let lastminj = minj, lastlen = curlen
            minj = max(Int((Double(ng * i - h) / Double(mg)).rounded(.down)) + 1, 0)
            minj = min(minj, n)
            maxj = min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
            if maxj <= minj { return 1.0 }
            var val = minj == 0 ? 0.0 : 1.0
            for jj in 0..<(maxj - minj) {
                let j = jj + minj
                val = (A[jj + minj - lastminj] * Double(i) + val * Double(j)) / Double(i + j)
                A[jj] = val
            }
            curlen = maxj - minj
            if lastlen > curlen {
                for t in (maxj - minj)..<min(maxj - minj + (lastlen - curlen), lenA) { A[t] = 1 }
            }
        }
        return A[maxj - minj - 1]
    }
}
