/// One entity's score: the model version that produced it and its outputs.
///
/// `scores` has one value for a binary classifier (the positive-class
/// probability) or a regression (the value), and `k` class probabilities for
/// a `k`-class model (SPEC 11).
public struct Prediction: Sendable, Equatable {
    /// The version that scored the entity (the alias's primary or a canary).
    public var version: Int
    /// The model's outputs for the entity.
    public var scores: [Double]

    /// Makes a prediction.
    public init(version: Int, scores: [Double]) {
        self.version = version
        self.scores = scores
    }
}
