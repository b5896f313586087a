import NIOCore

/// GET_ONLINE request: a prepared list id or an inline selection, a lookup
/// time, and entity keys row-major (docs/wire-protocol.md, 4.6).
///
/// ```swift
/// let req = GetOnlineRequest(listId: 7, keyCount: 1, keys: [.int64(1001), .int64(1002)])
/// ```
public struct GetOnlineRequest: WireMessage, Hashable {
    public static let opcode = Opcode.getOnline

    /// A prepared list id, or an inline selection.
    public enum Target: Hashable, Sendable {
        case list(UInt32)
        case selection(FeatureSelection)
    }

    /// The `at` value meaning "now".
    public static let now = Int64.min

    public var target: Target
    /// Lookup time in µs; nil = now.
    public var at: Int64?
    /// K: join keys per entity.
    public var keyCount: Int
    /// N × K key values, entity by entity.
    public var keys: [WireValue]
    /// N.
    public var entityCount: Int { keyCount == 0 ? 0 : keys.count / keyCount }

    /// A lookup by prepared list id.
    public init(listId: UInt32, at: Int64? = nil, keyCount: Int, keys: [WireValue]) {
        self.init(target: .list(listId), at: at, keyCount: keyCount, keys: keys)
    }

    /// A lookup of `target`; `keys.count` must be a multiple of `keyCount`.
    public init(target: Target, at: Int64? = nil, keyCount: Int, keys: [WireValue]) {
        precondition(keyCount > 0 ? keys.count % keyCount == 0 : keys.isEmpty)
        self.target = target; self.at = at; self.keyCount = keyCount; self.keys = keys
    }

    /// The fields before the keys: what a server needs to decode keys in place
    /// (into its own reusable storage) instead of into ``keys``.
    public struct Head: Hashable, Sendable {
        public var target: Target
        /// nil = now.
        public var at: Int64?
        /// N.
        public var entityCount: Int
        /// K.
        public var keyCount: Int
    }

    /// Reads the head; the buffer is left at the first key. Checks that the
    /// keys can fit in what remains (each tagged value is at least 2 bytes).
    public static func readHead(from buffer: inout ByteBuffer) throws -> Head {
        let selector = try buffer.readWire(UInt8.self, "GET_ONLINE selector")
        let target: Target
        switch selector {
        case 0: target = .list(try buffer.readWire(UInt32.self, "GET_ONLINE list_id"))
        case 1: target = .selection(try FeatureSelection(from: &buffer))
        default: throw WireError(.malformed, "GET_ONLINE: unknown selector \(selector)")
        }
        let at = try buffer.readWire(Int64.self, "GET_ONLINE at")
        let n = try buffer.readWireCount("GET_ONLINE entities", minBytesEach: 0)
        let k = Int(try buffer.readWire(UInt32.self, "GET_ONLINE key_count"))
        guard k <= 1024, n * k <= buffer.readableBytes / 2 else {
            throw WireError(.malformed, "GET_ONLINE: \(n) entities × \(k) keys is more than the payload holds")
        }
        if n > 0 && k == 0 { throw WireError(.malformed, "GET_ONLINE: entities without keys") }
        return Head(target: target, at: at == now ? nil : at, entityCount: n, keyCount: k)
    }

    public init(from buffer: inout ByteBuffer) throws {
        let head = try Self.readHead(from: &buffer)
        target = head.target
        at = head.at
        keyCount = head.keyCount
        let total = head.entityCount * head.keyCount
        keys = []
        keys.reserveCapacity(total)
        for _ in 0..<total { keys.append(try buffer.readWireTaggedValue("GET_ONLINE key")) }
    }

    public func write(to buffer: inout ByteBuffer) {
        switch target {
        case .list(let id):
            buffer.writeInteger(UInt8(0))
            buffer.writeInteger(id)
        case .selection(let s):
            buffer.writeInteger(UInt8(1))
            s.write(to: &buffer)
        }
        buffer.writeInteger(at ?? Self.now)
        buffer.writeWireCount(entityCount)
        buffer.writeInteger(UInt32(keyCount))
        for k in keys { buffer.writeWireTaggedValue(k) }
    }
}

/// One cell of a GET_ONLINE reply: status, event timestamp, value.
public struct WireCell: Hashable, Sendable {
    public var status: WireStatus
    /// nil exactly when the status is NOT_FOUND.
    public var eventTimestamp: Int64?
    /// Non-nil exactly when the status is PRESENT.
    public var value: WireValue?
    /// A cell.
    public init(status: WireStatus, eventTimestamp: Int64?, value: WireValue?) {
        self.status = status; self.eventTimestamp = eventTimestamp; self.value = value
    }
}

/// GET_ONLINE reply: the list id, its columns when described, and one column
/// of cells per feature (docs/wire-protocol.md, 4.6).
public struct GetOnlineReply: WireMessage, Hashable {
    public static let opcode = Opcode.getOnline
    public var listId: UInt32
    /// Present for requests by inline selection.
    public var description: FeatureListColumns?
    /// The type of each feature column.
    public var types: [WireType]
    /// `cells[f][e]`: feature f of entity e.
    public var cells: [[WireCell]]
    /// N.
    public var entityCount: Int

    /// A reply.
    public init(listId: UInt32, description: FeatureListColumns?, types: [WireType], entityCount: Int, cells: [[WireCell]]) {
        self.listId = listId; self.description = description; self.types = types
        self.entityCount = entityCount; self.cells = cells
    }

    public init(from buffer: inout ByteBuffer) throws {
        listId = try buffer.readWire(UInt32.self, "GET_ONLINE reply list_id")
        let described = try buffer.readWire(UInt8.self, "GET_ONLINE reply described")
        switch described {
        case 0: description = nil
        case 1: description = try FeatureListColumns.read(&buffer)
        default: throw WireError(.malformed, "GET_ONLINE reply: described byte \(described)")
        }
        let n = try buffer.readWireCount("GET_ONLINE reply entities", minBytesEach: 0)
        let f = try buffer.readWireCount("GET_ONLINE reply features", minBytesEach: 1)
        guard n * f <= buffer.readableBytes else { throw WireError(.malformed, "GET_ONLINE reply: \(n) × \(f) cells do not fit") }
        entityCount = n
        types = []
        for _ in 0..<f { types.append(try buffer.readWireType("GET_ONLINE reply type")) }
        cells = []
        cells.reserveCapacity(f)
        for type in types {
            var column: [WireCell] = []
            column.reserveCapacity(n)
            for _ in 0..<n { column.append(try buffer.readWireCell(type)) }
            cells.append(column)
        }
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeGetOnlineReplyHead(listId: listId, description: description, entityCount: entityCount, types: types)
        for column in cells {
            for c in column { buffer.writeWireCell(c.status, eventTimestamp: c.eventTimestamp, value: c.value) }
        }
    }
}

extension ByteBuffer {
    /// Writes a GET_ONLINE reply up to its cells (the server streams cells after it).
    public mutating func writeGetOnlineReplyHead(listId: UInt32, description: FeatureListColumns?, entityCount: Int,
                                                 types: [WireType]) {
        writeInteger(listId)
        if let description {
            writeInteger(UInt8(1))
            description.write(to: &self)
        } else {
            writeInteger(UInt8(0))
        }
        writeWireCount(entityCount)
        writeWireCount(types.count)
        for t in types { writeWireType(t) }
    }

    /// Writes one cell: status, event timestamp unless NOT_FOUND, value when PRESENT.
    @inlinable
    public mutating func writeWireCell(_ status: WireStatus, eventTimestamp: Int64?, value: WireValue?) {
        writeInteger(status.rawValue)
        if status != .notFound { writeInteger(eventTimestamp ?? 0) }
        if status == .present, let value { writeWireValue(value) }
    }

    /// Reads one cell of a column of `type`.
    public mutating func readWireCell(_ type: WireType) throws -> WireCell {
        let s = try readWire(UInt8.self, "cell status")
        guard let status = WireStatus(rawValue: s) else { throw WireError(.malformed, "cell: unknown status \(s)") }
        let ts: Int64? = status == .notFound ? nil : try readWire(Int64.self, "cell event_timestamp")
        let value: WireValue? = status == .present ? try readWireValue(type, "cell value") : nil
        return WireCell(status: status, eventTimestamp: ts, value: value)
    }
}
