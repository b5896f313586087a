/// Evidently's two-proportion Z-test (`z_stattest.py`): both samples are
/// recoded 0 for the smallest value (of both together) and 1 otherwise;
/// `z = (p₁ − p₂) / √(P(1 − P)(1/n₁ + 1/n₂))`, p-value `2·(1 − Φ(|z|))`; p = 1
/// when both samples hold one and the same single value.
public enum ZTest {
    /// The two-sided p-value.
    public static func pValue(reference: FeatureSample, current: FeatureSample) -> Double {
        let (ref, cur) = reference.jointCounts(current)
        let refDistinct = ref.filter { $0 > 0 }.count
        let curDistinct = cur.filter { $0 > 0 }.count
        if refDistinct == 1 && curDistinct == 1, ref.indices.contains(where: { ref[$0] > 0 && cur[$0] > 0 }) {
            return 1
        }
        // The proportion of "not the first value": the test is symmetric in which
        // value is taken, so any one key gives the same |z|.
        let n1 = Double(reference.count), n2 = Double(current.count)
        let p1 = (n1 - ref[0]) / n1
        let p2 = (n2 - cur[0]) / n2
        let p = (p1 * n1 + p2 * n2) / (n1 + n2)
        let z = (p1 - p2) / (p * (1 - p) * (1 / n1 + 1 / n2)).squareRoot()
        return SpecialFunctions.normalTwoSided(z)
    }
}
