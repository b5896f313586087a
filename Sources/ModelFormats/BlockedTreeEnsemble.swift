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

extension BlockedTreeEnsemble {
    func predict(batch: UnsafeBufferPointer<Double>, rows: Int, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(batch.count == rows * inputCount && output.count == rows * scoresPerRow, "batch/output size mismatch")
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
