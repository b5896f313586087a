extension XGBoostModel {
    /// The margins of one row before the objective's transform (XGBoost's
    /// `output_margin=True`), for parity tests and diagnostics.
    func margins(_ row: [Double]) -> [Float] {
        precondition(row.count == inputCount, "row has \(row.count) values, the model takes \(inputCount)")
        let x = row.map { Float($0) }
        var margin = baseMargin
        withTrees(MixedSplits.self) { trees in
            x.withUnsafeBufferPointer { xp in
                for t in 0..<roots.count {
                    margin[Int(groups[t])] += trees.value(tree: t, x: xp.baseAddress!)
                }
            }
        }
        return margin
    }
}

extension LightGBMModel {
    /// The raw scores of one row before the objective's transform (LightGBM's
    /// `raw_score=True`), for parity tests and diagnostics.
    func rawScores(_ row: [Double]) -> [Double] {
        precondition(row.count == inputCount, "row has \(row.count) values, the model takes \(inputCount)")
        var out = [Double](repeating: 0, count: treesPerIteration)
        withTrees(MixedSplits.self) { trees in
            row.withUnsafeBufferPointer { x in
                for t in 0..<roots.count {
                    out[t % treesPerIteration] += trees.value(tree: t, x: x.baseAddress!)
                }
            }
        }
        if averageOutput { for k in 0..<treesPerIteration { out[k] /= Double(roots.count / treesPerIteration) } }
        return out
    }
}
