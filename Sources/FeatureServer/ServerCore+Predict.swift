import Dispatch
import FeatureStore
import Inference
import Logging
import NIOCore
import Tabular
import WireProtocol

/// What PREDICT needs besides the store: the scorers by model ref and the
/// prediction log queue.
final class Predictor: Sendable {
    let scorers: ModelScorers
    /// Nil on a `--read-only` server, which never logs.
    let log: PredictionQueue?
    /// `--log-predictions`: log every prediction, whatever the alias says.
    let logEverything: Bool

    init(store: Store, config: ServerConfiguration, writer: DispatchQueue, logger: Logger) throws {
        scorers = try ModelScorers(store: store, refreshSeconds: config.modelRefreshSeconds)
        // The queue costs nothing until a prediction is queued; an alias set with
        // `--log-predictions` (Scorer.logPolicy) may need it at any time.
        log = config.readOnly ? nil : PredictionQueue(store: store, writer: writer, logger: logger)
        logEverything = config.logPredictions
    }

    /// Where the predictions of `scorer` go: the queue when the server logs
    /// everything or the scored alias has logging on, else nowhere.
    func logQueue(for scorer: Scorer) -> PredictionQueue? {
        guard let log, logEverything || scorer.logPolicy.shouldLog(requested: nil) else { return nil }
        return log
    }

    /// Queues the last predictions for the writer (drain).
    func flushLog() { log?.flush() }
}

extension ServerCore {
    /// PREDICT (docs/wire-protocol.md 4.8): the model ref's scorer, the
    /// entities' features read in one read transaction per version, scored
    /// on this thread (as GET_ONLINE reads are); the log, if any, is only
    /// queued here and written by the serial writer.
    func predict(_ frame: Frame, session: inout SessionCache, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        // Decoded into the connection's request: its arrays, model ref and key
        // names are reused (no allocation once warm for integer keys).
        var payload = frame.payload
        try session.predictRequest.decode(reusing: &payload)
        guard payload.readableBytes == 0 else {
            throw WireError(.malformed, "\(Opcode.predict.name): \(payload.readableBytes) trailing byte(s) after the message")
        }
        let request = session.predictRequest
        let n = request.entityCount
        guard n <= config.maxEntities else {
            throw WireError(.limitExceeded, "\(n) entities in one request; the limit is \(config.maxEntities)")
        }
        var model = try servedModel(request.model, session: &session)
        // Keys converted into the connection's reusable rows (no allocation once warm for integer keys).
        try Self.entities(of: request, for: model.scorer, into: &session.entities)
        let requestFeatures = Self.requestFeatures(of: request)
        let wantInputs = request.options.contains(.returnInputs)
        let served: [ServedPrediction]
        do {
            served = try model.scorer.scoreForServing(entities: session.entities, requestFeatures: requestFeatures,
                                                      at: request.at, inputs: wantInputs)
        } catch let e as FeatureStoreError where e.kind == .conflict {
            // The catalog changed under the scorer's prepared queries: build it again, once.
            predictor.scorers.forget(request.model)
            session.model = nil
            model = try servedModel(request.model, session: &session)
            try Self.entities(of: request, for: model.scorer, into: &session.entities)
            served = try model.scorer.scoreForServing(entities: session.entities, requestFeatures: requestFeatures,
                                                      at: request.at, inputs: wantInputs)
        }
        // The whole reply frame is built in the connection's scratch bytes and
        // copied into the outbound buffer at once, as GET_ONLINE's is (each
        // ByteBuffer write costs a uniqueness and an exclusivity check).
        session.scratch.removeAll(keepingCapacity: true)
        session.scratch.appendReplyHeader(.predict, requestId: frame.requestId)
        session.scratch.append(contentsOf: model.replyModel)
        session.scratch.appendPredictReplyCounts(includesInputs: wantInputs, entityCount: n)
        for s in served {
            let status: PredictionStatus = s.missingInputs == 0 ? .complete
                : s.missingInputs >= s.inputCount ? .noInputs : .missingInputs
            session.scratch.appendPredictEntity(status, version: UInt32(s.prediction.version), scores: s.prediction.scores,
                                                inputs: s.inputs ?? [])
        }
        session.scratch.patchFrameLength()
        var out = allocator.buffer(capacity: session.scratch.count)
        out.writeBytes(session.scratch)
        if let log = predictor.logQueue(for: model.scorer) {
            log.enqueue(scorer: model.scorer, entities: session.entities, predictions: served.map(\.prediction),
                        time: Clock.nowMicros())
        }
        return out
    }

    /// The served model of `ref`: the connection's own copy while the
    /// server-wide cache would still serve it unchecked (no lock shared
    /// with the other event loops, whose contention put requests to sleep
    /// in `futex`), else from that cache.
    func servedModel(_ ref: String, session: inout SessionCache) throws -> ServedModel {
        if let held = session.model, held.ref == ref,
           DispatchTime.now().uptimeNanoseconds &- held.checkedAtNanos < predictor.scorers.refreshNanos {
            return held.served
        }
        let (served, checkedAt) = try predictor.scorers.checked(ref)
        session.model = (ref, served, checkedAt)
        return served
    }

    /// The request's entities as rows of the scorer's join keys (in its order),
    /// each value converted to the key's type (int64 → int32 when it fits),
    /// written into `rows` (reused when it has the request's shape).
    static func entities(of request: PredictRequest, for scorer: Scorer, into rows: inout [[Value]]) throws {
        let keys = scorer.joinKeys
        let k = request.keyNames.count
        // Where each join key's value sits in an entity of the request; nil when
        // the request names the keys in the scorer's order (the common case).
        var position: [Int]? = nil
        if k != keys.count || !keys.indices.allSatisfy({ keys[$0].name == request.keyNames[$0] }) {
            position = try keyPositions(of: request, for: scorer)
        }
        if rows.count != request.entityCount || rows.first?.count != keys.count {
            rows = Array(repeating: Array(repeating: Value.int64(0), count: keys.count), count: request.entityCount)
        }
        for e in 0..<request.entityCount {
            for i in keys.indices {
                let wire = request.keys[e * k + (position?[i] ?? i)]
                switch (keys[i].type, wire) {
                case (.int64, .int64(let x)): rows[e][i] = .int64(x)
                case (.int32, .int32(let x)): rows[e][i] = .int32(x)
                case (.int32, .int64(let x)) where Int32(exactly: x) != nil: rows[e][i] = .int32(Int32(x))
                case (.string, .string(let s)): rows[e][i] = .string(s)
                case (.bytes, .bytes(let b)): rows[e][i] = .bytes(b)
                default:
                    throw WireError(.invalidArgument, "entity \(e + 1): join key '\(keys[i].name)' is \(keys[i].type); got \(wire.type) value")
                }
            }
        }
    }

    /// For each of the scorer's join keys, the index of its value in an entity
    /// of `request`; refuses names that are not join keys, given twice or missing.
    static func keyPositions(of request: PredictRequest, for scorer: Scorer) throws -> [Int] {
        let keys = scorer.joinKeys
        var names: String { keys.map(\.name).joined(separator: ", ") }   // only for error messages
        var position = [Int](repeating: -1, count: keys.count)
        for (j, name) in request.keyNames.enumerated() {
            guard let i = keys.firstIndex(where: { $0.name == name }) else {
                throw WireError(.invalidArgument, "'\(name)' is not a join key of \(request.model) (its join keys: \(names))")
            }
            guard position[i] < 0 else { throw WireError(.invalidArgument, "join key '\(name)' is given twice") }
            position[i] = j
        }
        if let missing = position.firstIndex(of: -1) {
            throw WireError(.invalidArgument, "join key '\(keys[missing].name)' of \(request.model) is missing (its join keys: \(names))")
        }
        return position
    }

    /// Request-time values by entity: `[]` when the request gives none.
    static func requestFeatures(of request: PredictRequest) -> [[String: Double]] {
        let r = request.requestFeatureNames.count
        guard r > 0 else { return [] }
        return (0..<request.entityCount).map { e in
            var row: [String: Double] = [:]
            for (j, name) in request.requestFeatureNames.enumerated() {
                if let v = request.requestFeatures[e * r + j] { row[name] = v }
            }
            return row
        }
    }
}
