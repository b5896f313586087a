/// Whether the predictions of a ``Scorer`` go to the prediction log
/// (``PredictionLog``) when the caller does not say, and where.
///
/// Scoring through an alias whose registry record has logging on
/// (`fsctl models alias set churn production 3 --log-predictions`,
/// ``ModelAlias/logPredictions``) logs by default; a version or the bare
/// model name (`churn/3`, `churn`) does not. The policy is read when the
/// scorer resolves its reference, like the alias's versions and canaries: an
/// alias changed later takes effect with a new scorer.
///
/// A caller that batches log writes itself (a server collecting the
/// predictions of many requests) asks ``shouldLog(requested:)`` per request
/// and appends what it collected, per scorer, with
/// ``PredictionLog/append(store:scorer:entities:predictions:at:)``:
///
/// ```swift
/// let scorer = try Scorer(registry: registry, reference: "churn@production")
/// let p = try scorer.score(entities: keys)                      // never writes
/// if scorer.logPolicy.shouldLog(requested: request.log) {       // request.log: Bool?
///     pending.append(contentsOf: zip(keys, p))                  // later, one batch:
/// }
/// try PredictionLog.append(store: store, scorer: scorer,
///                          entities: pending.map(\.0), predictions: pending.map(\.1))
/// ```
public struct PredictionLogPolicy: Sendable, Equatable {
    /// True when predictions are logged unless the caller says not to: the
    /// reference names an alias with ``ModelAlias/logPredictions`` on.
    public var logsByDefault: Bool
    /// The alias whose setting this is (`production`), nil when the
    /// reference names a version or the newest version.
    public var alias: String?
    /// The table predictions are appended to (`predictions__churn`).
    public var table: String

    /// Makes a policy.
    public init(logsByDefault: Bool, alias: String?, table: String) {
        self.logsByDefault = logsByDefault
        self.alias = alias
        self.table = table
    }

    /// Whether to log, given what the caller asked for: `true` logs (`--log`),
    /// `false` does not (`--no-log`), nil follows ``logsByDefault``.
    public func shouldLog(requested: Bool?) -> Bool {
        requested ?? logsByDefault
    }
}
