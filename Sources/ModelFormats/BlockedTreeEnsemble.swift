/// What XGBoost and LightGBM ensembles share for batches: rows split over
/// the batch threads, each range walked in blocks with the split kinds the
/// model needs (numeric only, or numeric and categorical).
protocol BlockedTreeEnsemble: LoadedModel {
    /// Trees per boosting round: the number of raw scores per row.
    var scoresPerRow: Int { get }
    /// Whether any split is categorical (then the mixed walk is needed).
    var hasCategorical: Bool { get }
    /// Scores the rows of `range`, writing `scoresPerRow` outputs per row.
    func predictRange<Splits: SplitKinds>(_ splits: Splits.Type, _ range: Range<Int>, _ buffers: BatchBuffers)
}

/// Batches of fewer rows than this are scored row by row with the single-row
/// walk. The blocked walk runs four rows of one tree side by side, so below
/// four rows it follows one chain of node loads at a time (and allocates its
/// block buffers), while the single-row walk runs four trees side by side:
/// a batch of one (a server's PREDICT of one entity) took 2–3 times as long
/// through the blocked walk. Both walks add the leaf values in tree order,
/// so the scores are the same bit for bit.
let blockedWalkMinRows = 4

extension BlockedTreeEnsemble {
    func predict(batch: UnsafeBufferPointer<Double>, rows: Int, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(batch.count == rows * inputCount && output.count == rows * scoresPerRow, "batch/output size mismatch")
        if rows < blockedWalkMinRows {
            let n = inputCount, k = scoresPerRow
            for r in 0..<rows {
                predict(row: UnsafeBufferPointer(rebasing: batch[(r * n)..<((r + 1) * n)]),
                        into: UnsafeMutableBufferPointer(rebasing: output[(r * k)..<((r + 1) * k)]))
            }
            return
        }
        let buffers = BatchBuffers(input: batch, output: output)
        BatchSplit.run(rows: rows) { range in
            if self.hasCategorical {
                self.predictRange(MixedSplits.self, range, buffers)
            } else {
                self.predictRange(NumericSplits.self, range, buffers)
            }
        }
    }
}
