/// Evidently's chi-square test (`chisquare_stattest.py`): per distinct value,
/// observed = current count, expected = reference count × |current| / |reference|;
/// the statistic reported is the p-value `chi2.sf(Σ (o − e)²/e, k − 1)` (scipy's `chisquare`).
public enum ChiSquareTest {
    /// The p-value. A value absent from the reference (expected 0) gives p = 0.
    public static func pValue(reference: FeatureSample, current: FeatureSample) -> Double {
        let (ref, cur) = reference.jointCounts(current)
        let norm = Double(current.count) / Double(reference.count)
        var stat = 0.0
        for i in ref.indices {
            let e = ref[i] * norm
            let o = cur[i]
            stat += (o - e) * (o - e) / e
        }
        return SpecialFunctions.chiSquareSF(stat, df: Double(ref.count - 1))
    }
}
