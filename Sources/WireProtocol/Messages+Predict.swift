import NIOCore

/// PREDICT request: a model reference, entities by join-key name, optional
/// request-time feature values per entity (docs/wire-protocol.md, 4.8).
///
/// ```swift
/// let req = PredictRequest(model: "churn@production", keyNames: ["user_id"],
///                          keys: [.int64(1), .int64(2)])
/// ```
public struct PredictRequest: WireMessage, Hashable {
    public static let opcode = Opcode.predict

    /// The request's option bits.
    public struct Options: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        /// Wraps raw bits (unknown bits are refused when decoding).
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Return each entity's input vector (the values the model saw, NaN for missing).
        public static let returnInputs = Options(rawValue: 1 << 0)
        /// The bits protocol version 1 defines.
        public static let known: Options = [.returnInputs]
    }

    /// `churn/3`, `churn@production` or `churn` (the newest version).
    public var model: String
    public var options: Options
    /// Time ttls are judged against, in µs; nil = now.
    public var at: Int64?
    /// The join keys the entities give, in the order of each entity's values.
    public var keyNames: [String]
    /// N × K key values, entity by entity.
    public var keys: [WireValue]
    /// Request-time feature names (model input names), in the order of each entity's values.
    public var requestFeatureNames: [String]
    /// N × R request-time values, entity by entity; nil = not given (the stored value is used).
    public var requestFeatures: [Double?]

    /// N.
    public var entityCount: Int { keyNames.isEmpty ? 0 : keys.count / keyNames.count }

    /// A request; `keys.count` must be a multiple of `keyNames.count`, and
    /// `requestFeatures.count` must be N × `requestFeatureNames.count`.
    public init(model: String, options: Options = [], at: Int64? = nil, keyNames: [String], keys: [WireValue],
                requestFeatureNames: [String] = [], requestFeatures: [Double?] = []) {
        precondition(keyNames.isEmpty ? keys.isEmpty : keys.count % keyNames.count == 0)
        self.model = model; self.options = options; self.at = at
        self.keyNames = keyNames; self.keys = keys
        self.requestFeatureNames = requestFeatureNames; self.requestFeatures = requestFeatures
        precondition(requestFeatures.count == entityCount * requestFeatureNames.count)
    }

    public init(from buffer: inout ByteBuffer) throws {
        self.init(model: "", keyNames: [], keys: [])
        try decode(reusing: &buffer)
    }

    /// Reads a request off `buffer` into this one, as ``init(from:)`` does (the
    /// same checks and errors; on an error the request is left half-read),
    /// reusing the storage of its arrays and keeping its model ref and key
    /// names where the buffer repeats them byte for byte: a server decoding
    /// a connection's requests into one value allocates nothing for them once
    /// warm (integer keys, no request-time features).
    public mutating func decode(reusing buffer: inout ByteBuffer) throws {
        try buffer.readWireString("PREDICT model", into: &model)
        let bits = try buffer.readWire(UInt8.self, "PREDICT options")
        options = Options(rawValue: bits)
        guard options.isSubset(of: .known) else { throw WireError(.malformed, "PREDICT options: unknown bits \(bits)") }
        let t = try buffer.readWire(Int64.self, "PREDICT at")
        at = t == GetOnlineRequest.now ? nil : t
        let k = try buffer.readWireCount("PREDICT key names", minBytesEach: 2)
        guard k <= 1024 else { throw WireError(.malformed, "PREDICT: \(k) key names") }
        if keyNames.count != k { keyNames = [String](repeating: "", count: k) }
        for j in 0..<k { try buffer.readWireString("PREDICT key name", into: &keyNames[j]) }
        let n = try buffer.readWireCount("PREDICT entities", minBytesEach: 0)
        if n > 0 && k == 0 { throw WireError(.malformed, "PREDICT: entities without keys") }
        guard n * k <= buffer.readableBytes / 2 else {
            throw WireError(.malformed, "PREDICT: \(n) entities × \(k) keys is more than the payload holds")
        }
        keys.removeAll(keepingCapacity: true)
        keys.reserveCapacity(n * k)
        for _ in 0..<(n * k) { keys.append(try buffer.readWireTaggedValue("PREDICT key")) }
        let r = try buffer.readWireCount("PREDICT request features", minBytesEach: 2)
        if requestFeatureNames.count != r { requestFeatureNames = [String](repeating: "", count: r) }
        for j in 0..<r { try buffer.readWireString("PREDICT request feature name", into: &requestFeatureNames[j]) }
        guard n * r <= buffer.readableBytes else {
            throw WireError(.malformed, "PREDICT: \(n) entities × \(r) request features is more than the payload holds")
        }
        requestFeatures.removeAll(keepingCapacity: true)
        requestFeatures.reserveCapacity(n * r)
        for _ in 0..<(n * r) {
            switch try buffer.readWire(UInt8.self, "PREDICT request feature present") {
            case 0: requestFeatures.append(nil)
            case 1: requestFeatures.append(Double(bitPattern: try buffer.readWire(UInt64.self, "PREDICT request feature value")))
            case let b: throw WireError(.malformed, "PREDICT request feature: present byte \(b) is not 0 or 1")
            }
        }
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeWireString(model)
        buffer.writeInteger(options.rawValue)
        buffer.writeInteger(at ?? GetOnlineRequest.now)
        buffer.writeWireCount(keyNames.count)
        for name in keyNames { buffer.writeWireString(name) }
        buffer.writeWireCount(entityCount)
        for k in keys { buffer.writeWireTaggedValue(k) }
        buffer.writeWireCount(requestFeatureNames.count)
        for name in requestFeatureNames { buffer.writeWireString(name) }
        for v in requestFeatures {
            if let v {
                buffer.writeInteger(UInt8(1))
                buffer.writeInteger(v.bitPattern)
            } else {
                buffer.writeInteger(UInt8(0))
            }
        }
    }
}

/// How completely an entity's inputs were found (docs/wire-protocol.md, 4.8).
/// Every status comes with scores: missing inputs are passed to the model as
/// missing values (NaN), as `fsctl score` does.
public enum PredictionStatus: UInt8, Hashable, Sendable, CaseIterable {
    /// Every input had a value (stored, or given at request time).
    case complete = 0
    /// Some inputs had none (null, NOT_FOUND, OUTSIDE_MAX_AGE) and were passed as missing.
    case missingInputs = 1
    /// No input had a value (typically an entity the store does not know).
    case noInputs = 2

    /// `COMPLETE`, `MISSING_INPUTS`, `NO_INPUTS`.
    public var name: String {
        switch self {
        case .complete: "COMPLETE"
        case .missingInputs: "MISSING_INPUTS"
        case .noInputs: "NO_INPUTS"
        }
    }
}

/// One model version a PREDICT reply may use, with its inputs in model order.
public struct PredictVersion: Hashable, Sendable {
    public var version: UInt32
    /// Pinned refs (`user_stats@1:age`) in the model's input order.
    public var inputs: [String]
    /// A version.
    public init(version: UInt32, inputs: [String]) { self.version = version; self.inputs = inputs }
}

/// One entity's answer in a PREDICT reply.
public struct PredictEntity: Hashable, Sendable {
    public var status: PredictionStatus
    /// The version that scored the entity (the alias's primary, or a canary).
    public var version: UInt32
    /// O scores: the positive-class probability, the regression value, or k class probabilities.
    public var scores: [Double]
    /// The input vector the model saw (NaN = missing), when the request asked for it.
    public var inputs: [Double]?
    /// An entity's answer.
    public init(status: PredictionStatus, version: UInt32, scores: [Double], inputs: [Double]? = nil) {
        self.status = status; self.version = version; self.scores = scores; self.inputs = inputs
    }
}

/// PREDICT reply: output names, the versions the model ref routes to, and
/// one answer per entity, in request order (docs/wire-protocol.md, 4.8).
public struct PredictReply: WireMessage, Equatable {
    public static let opcode = Opcode.predict
    /// The model's name.
    public var model: String
    /// `["prediction"]`, or `prediction_0` … `prediction_{k-1}` (the columns of `fsctl score`).
    public var outputs: [String]
    /// The versions the ref routes to: the primary first, then canaries.
    public var versions: [PredictVersion]
    /// True when each entity carries its input vector.
    public var includesInputs: Bool
    public var entities: [PredictEntity]

    /// A reply.
    public init(model: String, outputs: [String], versions: [PredictVersion], includesInputs: Bool, entities: [PredictEntity]) {
        self.model = model; self.outputs = outputs; self.versions = versions
        self.includesInputs = includesInputs; self.entities = entities
    }

    /// Bitwise equality (NaN inputs and scores compare equal to themselves).
    public static func == (a: PredictReply, b: PredictReply) -> Bool {
        func bits(_ xs: [Double]?) -> [UInt64]? { xs?.map(\.bitPattern) }
        return a.model == b.model && a.outputs == b.outputs && a.versions == b.versions
            && a.includesInputs == b.includesInputs && a.entities.count == b.entities.count
            && zip(a.entities, b.entities).allSatisfy {
                $0.status == $1.status && $0.version == $1.version && bits($0.scores) == bits($1.scores)
                    && bits($0.inputs) == bits($1.inputs)
            }
    }

    public init(from buffer: inout ByteBuffer) throws {
        model = try buffer.readWireString("PREDICT reply model")
        outputs = []
        for _ in 0..<(try buffer.readWireCount("PREDICT reply outputs", minBytesEach: 2)) {
            outputs.append(try buffer.readWireString("PREDICT reply output"))
        }
        versions = []
        for _ in 0..<(try buffer.readWireCount("PREDICT reply versions", minBytesEach: 8)) {
            let v = try buffer.readWire(UInt32.self, "PREDICT reply version")
            var inputs: [String] = []
            for _ in 0..<(try buffer.readWireCount("PREDICT reply inputs", minBytesEach: 2)) {
                inputs.append(try buffer.readWireString("PREDICT reply input"))
            }
            versions.append(PredictVersion(version: v, inputs: inputs))
        }
        let flag = try buffer.readWire(UInt8.self, "PREDICT reply includes_inputs")
        guard flag <= 1 else { throw WireError(.malformed, "PREDICT reply: includes_inputs byte \(flag)") }
        includesInputs = flag == 1
        let o = outputs.count
        let n = try buffer.readWireCount("PREDICT reply entities", minBytesEach: 5 + 8 * o)
        entities = []
        entities.reserveCapacity(n)
        for e in 0..<n {
            let s = try buffer.readWire(UInt8.self, "PREDICT reply status")
            guard let status = PredictionStatus(rawValue: s) else { throw WireError(.malformed, "PREDICT reply: unknown status \(s)") }
            let v = try buffer.readWire(UInt32.self, "PREDICT reply entity version")
            var scores: [Double] = []
            scores.reserveCapacity(o)
            for _ in 0..<o { scores.append(Double(bitPattern: try buffer.readWire(UInt64.self, "PREDICT reply score"))) }
            var inputs: [Double]? = nil
            if includesInputs {
                guard let version = versions.first(where: { $0.version == v }) else {
                    throw WireError(.malformed, "PREDICT reply: entity \(e + 1) names version \(v), not among the reply's versions")
                }
                guard buffer.readableBytes >= 8 * version.inputs.count else { throw WireError(.malformed, "truncated: PREDICT reply inputs") }
                inputs = (0..<version.inputs.count).map { _ in Double(bitPattern: buffer.readInteger(as: UInt64.self)!) }
            }
            entities.append(PredictEntity(status: status, version: v, scores: scores, inputs: inputs))
        }
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writePredictReplyHead(model: model, outputs: outputs, versions: versions, includesInputs: includesInputs,
                                     entityCount: entities.count)
        for e in entities { buffer.writePredictEntity(e.status, version: e.version, scores: e.scores, inputs: e.inputs ?? []) }
    }
}

extension ByteBuffer {
    /// Writes a PREDICT reply up to its entities (the server streams them after it).
    public mutating func writePredictReplyHead(model: String, outputs: [String], versions: [PredictVersion],
                                               includesInputs: Bool, entityCount: Int) {
        writePredictReplyModel(model: model, outputs: outputs, versions: versions)
        writePredictReplyCounts(includesInputs: includesInputs, entityCount: entityCount)
    }

    /// Writes the part of a PREDICT reply head that depends only on the model
    /// ref's scorer (model name, output names, versions and their inputs):
    /// a server encodes it once per scorer and copies it into each reply,
    /// followed by ``writePredictReplyCounts(includesInputs:entityCount:)``.
    public mutating func writePredictReplyModel(model: String, outputs: [String], versions: [PredictVersion]) {
        writeWireString(model)
        writeWireCount(outputs.count)
        for o in outputs { writeWireString(o) }
        writeWireCount(versions.count)
        for v in versions {
            writeInteger(v.version)
            writeWireCount(v.inputs.count)
            for i in v.inputs { writeWireString(i) }
        }
    }

    /// Writes the rest of a PREDICT reply head after
    /// ``writePredictReplyModel(model:outputs:versions:)``: the includes-inputs
    /// flag and the entity count.
    public mutating func writePredictReplyCounts(includesInputs: Bool, entityCount: Int) {
        writeInteger(UInt8(includesInputs ? 1 : 0))
        writeWireCount(entityCount)
    }

    /// Writes one entity of a PREDICT reply; `inputs` only when the reply includes them.
    /// Inlinable, so that a server writes its arrays through a specialized copy.
    @inlinable
    public mutating func writePredictEntity<S: Collection, I: Collection>(_ status: PredictionStatus, version: UInt32,
                                                                          scores: S, inputs: I)
        where S.Element == Double, I.Element == Double {
        writeInteger(status.rawValue)
        writeInteger(version)
        for s in scores { writeInteger(s.bitPattern) }
        for x in inputs { writeInteger(x.bitPattern) }
    }
}
