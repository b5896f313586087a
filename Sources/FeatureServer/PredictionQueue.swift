import Dispatch
import FeatureStore
import Inference
import Logging
import NIOConcurrencyHelpers
import Tabular

/// Server-side prediction logging (`fsctl serve --log-predictions`): the event
/// loops only append predictions to this in-memory queue; the server's serial
/// writer queue appends them to `predictions__<model>` in batches, one write
/// transaction per model per flush (``PredictionLog/push(store:scorer:entities:predictions:times:source:)``).
///
/// A flush runs ``flushDelay`` after the first queued prediction, at once when
/// ``flushRows`` are waiting, and on drain (SIGTERM) before the server exits.
/// Beyond ``maxQueuedRows`` (the writer cannot keep up) predictions are
/// dropped and counted, never blocking a request.
final class PredictionQueue: Sendable {
    private let store: Store
    private let writer: DispatchQueue
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    /// Seconds between the first queued prediction and its flush.
    let flushDelay: Double
    /// Queued rows that trigger a flush at once.
    let flushRows = 8192
    /// Queued rows beyond which predictions are dropped.
    let maxQueuedRows = 1_000_000

    struct Pending {
        var scorer: Scorer
        var entities: [[Value]] = []
        var predictions: [Prediction] = []
        var times: [Int64] = []
    }

    struct State {
        /// By scorer (a scorer knows its model, join keys and output columns).
        var pending: [ObjectIdentifier: Pending] = [:]
        var rows = 0
        var flushScheduled = false
        var dropped = 0
        var logged = 0
    }

    init(store: Store, writer: DispatchQueue, logger: Logger, flushDelay: Double = 0.2) {
        self.store = store; self.writer = writer; self.logger = logger; self.flushDelay = flushDelay
    }

    /// Queues predictions of `entities` (join keys in the scorer's order), scored at `time`.
    func enqueue(scorer: Scorer, entities: [[Value]], predictions: [Prediction], time: Int64) {
        guard !entities.isEmpty else { return }
        enum Next { case nothing, later, now }
        let next = state.withLockedValue { s -> Next in
            guard s.rows + entities.count <= maxQueuedRows else {
                s.dropped += entities.count
                return .nothing
            }
            let id = ObjectIdentifier(scorer)
            var p = s.pending.removeValue(forKey: id) ?? Pending(scorer: scorer)
            p.entities += entities
            p.predictions += predictions
            p.times += repeatElement(time, count: entities.count)
            s.pending[id] = p
            s.rows += entities.count
            if s.rows >= flushRows { return .now }
            if s.flushScheduled { return .nothing }
            s.flushScheduled = true
            return .later
        }
        switch next {
        case .nothing: break
        case .later: writer.asyncAfter(deadline: .now() + flushDelay) { [self] in flushNow() }
        case .now: writer.async { [self] in flushNow() }
        }
    }

    /// Queues a flush on the writer (the drain calls it before waiting for the writer).
    func flush() { writer.async { [self] in flushNow() } }

    /// Rows logged and dropped so far.
    var counts: (logged: Int, dropped: Int) { state.withLockedValue { ($0.logged, $0.dropped) } }

    /// Appends everything queued; runs on the writer queue.
    private func flushNow() {
        let (batches, dropped) = state.withLockedValue { s -> ([Pending], Int) in
            let out = Array(s.pending.values)
            let d = s.dropped
            s.pending.removeAll()
            s.rows = 0
            s.dropped = 0
            s.flushScheduled = false
            return (out, d)
        }
        if dropped > 0 { logger.warning("prediction log: dropped \(dropped) prediction(s): the writer did not keep up") }
        for b in batches {
            do {
                try PredictionLog.push(store: store, scorer: b.scorer, entities: b.entities, predictions: b.predictions, times: b.times)
                state.withLockedValue { $0.logged += b.entities.count }
            } catch {
                logger.error("prediction log: \(b.entities.count) prediction(s) of model '\(b.scorer.modelName)' not logged: \(error)")
            }
        }
    }
}
