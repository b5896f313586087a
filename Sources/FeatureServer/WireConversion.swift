import FeatureStore
import Tabular
import WireProtocol

/// Mapping between the store's types and values and the wire's.
enum WireConversion {
    static func wireType(_ t: DataType) -> WireType {
        switch t {
        case .bool: .bool
        case .int32: .int32
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .string: .string
        case .bytes: .bytes
        case .timestamp: .timestamp
        case .float32Vector(let n): .float32Vector(n)
        }
    }

    static func dataType(_ t: WireType) -> DataType {
        switch t {
        case .bool: .bool
        case .int32: .int32
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .string: .string
        case .bytes: .bytes
        case .timestamp: .timestamp
        case .float32Vector(let n): .float32Vector(n)
        }
    }

    @inline(__always)
    static func wireValue(_ v: Value) -> WireValue {
        switch v {
        case .bool(let x): .bool(x)
        case .int32(let x): .int32(x)
        case .int64(let x): .int64(x)
        case .float32(let x): .float32(x)
        case .float64(let x): .float64(x)
        case .string(let x): .string(x)
        case .bytes(let x): .bytes(x)
        case .timestamp(let x): .timestamp(x)
        case .vector(let x): .vector(x)
        }
    }

    @inline(__always)
    static func value(_ v: WireValue) -> Value {
        switch v {
        case .bool(let x): .bool(x)
        case .int32(let x): .int32(x)
        case .int64(let x): .int64(x)
        case .float32(let x): .float32(x)
        case .float64(let x): .float64(x)
        case .string(let x): .string(x)
        case .bytes(let x): .bytes(x)
        case .timestamp(let x): .timestamp(x)
        case .vector(let x): .vector(x)
        }
    }

    @inline(__always)
    static func wireStatus(_ s: FeatureStatus) -> WireStatus {
        switch s {
        case .present: .present
        case .nullValue: .nullValue
        case .notFound: .notFound
        case .outsideMaxAge: .outsideMaxAge
        }
    }

    /// The error reply for an error thrown by the store (or a WireError as is).
    /// Anything unexpected becomes INTERNAL without details.
    static func wireError(_ error: any Error) -> WireError {
        if let e = error as? WireError { return e }
        if let e = error as? FeatureStoreError {
            switch e.kind {
            case .invalidInput: return WireError(.invalidArgument, e.message)
            case .notFound: return WireError(.notFound, e.message)
            case .conflict: return WireError(.conflict, e.message)
            case .corrupt, .io: return WireError(.internalError, "internal error (see the server log)")
            }
        }
        if let e = error as? CatalogError {
            // Resolution errors: an unknown name is NOT_FOUND, anything else a bad argument.
            let text = e.description
            let missing = text.contains("unknown") || text.contains(" has no feature ") || text.contains(" has no version ")
            return WireError(missing ? .notFound : .invalidArgument, text)
        }
        return WireError(.internalError, "internal error (see the server log)")
    }

    /// A push column from the wire, converted to the table's `type` with the
    /// widenings of docs/wire-protocol.md 4.7; errors name row and column.
    static func column(_ c: PushColumn, as type: DataType, table: String) throws -> Column {
        var out = Column(type: type, capacity: c.values.count)
        for (r, v) in c.values.enumerated() {
            guard let v else { out.appendNull(); continue }
            let fail = WireError(.invalidArgument, "push to '\(table)': row \(r + 1): column '\(c.name)': \(c.type) value does not fit \(type)")
            switch (type, v) {
            case (.bool, .bool(let x)): out.appendBool(x)
            case (.int32, .int32(let x)): out.appendInt32(x)
            case (.int32, .int64(let x)):
                guard let y = Int32(exactly: x) else { throw fail }
                out.appendInt32(y)
            case (.int64, .int64(let x)), (.timestamp, .timestamp(let x)), (.timestamp, .int64(let x)): out.appendInt64(x)
            case (.int64, .int32(let x)): out.appendInt64(Int64(x))
            case (.float32, .float32(let x)): out.appendFloat32(x)
            case (.float32, .float64(let x)): out.appendFloat32(Float(x))
            case (.float32, .int64(let x)): out.appendFloat32(Float(x))
            case (.float64, .float64(let x)): out.appendFloat64(x)
            case (.float64, .int64(let x)): out.appendFloat64(Double(x))
            case (.float64, .int32(let x)): out.appendFloat64(Double(x))
            case (.string, .string(let s)): out.appendString(s)
            case (.bytes, .bytes(let b)): out.appendBytes(b)
            case (.float32Vector(let n), .vector(let xs)):
                guard xs.count == n else { throw fail }
                out.appendVector(xs)
            default: throw fail
            }
        }
        return out
    }
}

extension Array where Element == UInt8 {
    /// Appends `x` big-endian.
    @inline(__always)
    mutating func appendBigEndian<T: FixedWidthInteger>(_ x: T) {
        Swift.withUnsafeBytes(of: x.bigEndian) { append(contentsOf: $0) }
    }

    /// Appends a reply frame header with length 0 (set by ``patchFrameLength()``).
    @inline(__always)
    mutating func appendReplyHeader(_ opcode: Opcode, requestId: UInt32) {
        appendBigEndian(UInt32(0))
        appendBigEndian(opcode.rawValue)
        appendBigEndian(FrameFlags.reply.rawValue)
        appendBigEndian(requestId)
    }

    /// Appends what `ByteBuffer.writePredictReplyCounts` writes: the
    /// includes-inputs flag and the entity count.
    @inline(__always)
    mutating func appendPredictReplyCounts(includesInputs: Bool, entityCount: Int) {
        append(includesInputs ? 1 : 0)
        appendBigEndian(UInt32(entityCount))
    }

    /// Appends what `ByteBuffer.writePredictEntity` writes: status, version,
    /// the scores and the inputs (only when the reply includes them).
    @inline(__always)
    mutating func appendPredictEntity(_ status: PredictionStatus, version: UInt32, scores: [Double], inputs: [Double]) {
        append(status.rawValue)
        appendBigEndian(version)
        for s in scores { appendBigEndian(s.bitPattern) }
        for x in inputs { appendBigEndian(x.bitPattern) }
    }

    /// Sets the length of the frame that starts at byte 0 and ends here.
    @inline(__always)
    mutating func patchFrameLength() {
        let length = UInt32(count - Frame.headerBytes)
        self[0] = UInt8(truncatingIfNeeded: length >> 24)
        self[1] = UInt8(truncatingIfNeeded: length >> 16)
        self[2] = UInt8(truncatingIfNeeded: length >> 8)
        self[3] = UInt8(truncatingIfNeeded: length)
    }

    /// Appends one GET_ONLINE cell straight from the store's value (the bytes
    /// ``ByteBuffer/writeWireCell(_:eventTimestamp:value:)`` writes for the
    /// equivalent ``WireValue``): status, event timestamp unless NOT_FOUND, value when PRESENT.
    @inline(__always)
    mutating func appendOnlineCell(_ status: FeatureStatus, eventTimestamp: Int64?, value: Value?) {
        let wire = WireConversion.wireStatus(status)
        append(wire.rawValue)
        if wire != .notFound { appendBigEndian(eventTimestamp ?? 0) }
        guard wire == .present, let value else { return }
        switch value {
        case .bool(let b): append(b ? 1 : 0)
        case .int32(let x): appendBigEndian(x)
        case .int64(let x): appendBigEndian(x)
        case .float32(let x): appendBigEndian(x.bitPattern)
        case .float64(let x): appendBigEndian(x.bitPattern)
        case .string(let s):
            appendBigEndian(UInt32(s.utf8.count))
            append(contentsOf: s.utf8)
        case .bytes(let b):
            appendBigEndian(UInt32(b.count))
            append(contentsOf: b)
        case .timestamp(let t): appendBigEndian(t)
        case .vector(let v): for x in v { appendBigEndian(x.bitPattern) }
        }
    }
}
