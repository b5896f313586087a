import NIOCore

/// PUSH request: rows for one table, column-major, written in one transaction
/// (docs/wire-protocol.md, 4.7).
///
/// ```swift
/// let push = PushRequest(table: "user_stats", destination: .both, columns: [
///     PushColumn(name: "user_id", type: .int64, values: [.int64(1)]),
///     PushColumn(name: "event_timestamp", type: .timestamp, values: [.timestamp(t)]),
///     PushColumn(name: "age", type: .float64, values: [.float64(31)]),
/// ])
/// ```
public struct PushRequest: WireMessage, Hashable {
    public static let opcode = Opcode.push

    /// Where rows go.
    public enum Destination: UInt8, Hashable, Sendable, CaseIterable {
        case offline = 0, online = 1, both = 2
        /// `offline`, `online`, `both`.
        public var name: String {
            switch self {
            case .offline: "offline"
            case .online: "online"
            case .both: "both"
            }
        }
    }

    public var table: String
    public var destination: Destination
    /// Columns of equal length.
    public var columns: [PushColumn]
    /// R.
    public var rowCount: Int { columns.first?.values.count ?? 0 }

    /// A push; every column must have the same number of values.
    public init(table: String, destination: Destination, columns: [PushColumn]) {
        self.table = table; self.destination = destination; self.columns = columns
    }

    public init(from buffer: inout ByteBuffer) throws {
        table = try buffer.readWireString("PUSH table")
        let d = try buffer.readWire(UInt8.self, "PUSH destination")
        guard let destination = Destination(rawValue: d) else { throw WireError(.malformed, "PUSH: unknown destination \(d)") }
        self.destination = destination
        var fields: [WireField] = []
        for _ in 0..<(try buffer.readWireCount("PUSH columns", minBytesEach: 3)) {
            fields.append(try WireField.read(&buffer, "PUSH column"))
        }
        let rows = try buffer.readWireCount("PUSH rows", minBytesEach: 0)
        guard rows * fields.count <= buffer.readableBytes else {
            throw WireError(.malformed, "PUSH: \(rows) rows × \(fields.count) columns is more than the payload holds")
        }
        columns = []
        for field in fields {
            var values: [WireValue?] = []
            values.reserveCapacity(rows)
            for _ in 0..<rows {
                let present = try buffer.readWire(UInt8.self, "PUSH cell")
                switch present {
                case 0: values.append(nil)
                case 1: values.append(try buffer.readWireValue(field.type, "PUSH column '\(field.name)'"))
                default: throw WireError(.malformed, "PUSH column '\(field.name)': presence byte \(present)")
                }
            }
            columns.append(PushColumn(name: field.name, type: field.type, values: values))
        }
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeWireString(table)
        buffer.writeInteger(destination.rawValue)
        buffer.writeWireCount(columns.count)
        for c in columns { WireField(c.name, c.type).write(to: &buffer) }
        buffer.writeWireCount(rowCount)
        for c in columns {
            for v in c.values {
                if let v {
                    buffer.writeInteger(UInt8(1))
                    buffer.writeWireValue(v)
                } else {
                    buffer.writeInteger(UInt8(0))
                }
            }
        }
    }
}

/// One column of a push: a name, the type its values are written as, values (nil = null).
public struct PushColumn: Hashable, Sendable {
    public var name: String
    public var type: WireType
    public var values: [WireValue?]
    /// A column; every non-nil value must have `type`.
    public init(name: String, type: WireType, values: [WireValue?]) {
        self.name = name; self.type = type; self.values = values
    }
}

/// PUSH reply: the batch recorded and the rows written.
public struct PushReply: WireMessage, Hashable {
    public static let opcode = Opcode.push
    public var batchId: UInt64
    public var rows: UInt32
    /// A reply.
    public init(batchId: UInt64, rows: UInt32) { self.batchId = batchId; self.rows = rows }
    public init(from buffer: inout ByteBuffer) throws {
        batchId = try buffer.readWire(UInt64.self, "PUSH batch_id")
        rows = try buffer.readWire(UInt32.self, "PUSH rows")
    }
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(batchId)
        buffer.writeInteger(rows)
    }
}
