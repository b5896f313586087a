extension XGBoostModel {
    /// The margins of one row before the objective's transform (XGBoost's
    /// `output_margin=True`), for parity tests and diagnostics.
    func margins(_ row: [Double]) -> [Float] {
        precondition(row.count == inputCount, "row has \(row.count) values, the model takes \(inputCount)")
        let x = row.map { Float($0) } + [.infinity]   // the slot leaves split on
        var margin = baseMargin
        if let compact { addMargins(compact, x, &margin) } else if let wide { addMargins(wide, x, &margin) }
        return margin
    }

    /// Adds row `x`'s leaf values to `margin`, one tree at a time.
    private func addMargins<N: WalkNode>(_ layout: WalkLayout<N>, _ x: [Float], _ margin: inout [Float]) {
        withTrees(layout, MixedSplits.self) { trees in
            x.withUnsafeBufferPointer { xp in
                for t in 0..<treeCount {
                    margin[Int(groups[t])] += trees.value(tree: t, x: xp.baseAddress!)
                }
            }
        }
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
