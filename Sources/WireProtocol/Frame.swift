import NIOCore

/// An operation code, the `u16` at offset 4 of every frame header.
///
/// Unknown values are kept (``init(rawValue:)``) so the server can answer
/// them with `UNKNOWN_OPCODE` instead of failing to decode the frame.
public struct Opcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    /// Wraps any opcode, known or not.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Handshake: magic, version range, optional token. Must come first.
    public static let hello = Opcode(rawValue: 0x0001)
    /// Re-authenticate with another token.
    public static let auth = Opcode(rawValue: 0x0002)
    /// Server and store health.
    public static let health = Opcode(rawValue: 0x0003)
    /// Entities, tables and services.
    public static let catalog = Opcode(rawValue: 0x0004)
    /// Resolve a feature selection to a reusable list id.
    public static let prepare = Opcode(rawValue: 0x0010)
    /// Online lookup of many entities.
    public static let getOnline = Opcode(rawValue: 0x0011)
    /// Append rows to a table, atomically.
    public static let push = Opcode(rawValue: 0x0012)
    /// Score entities with a registered model, features read from the store.
    public static let predict = Opcode(rawValue: 0x0020)

    /// Every opcode of protocol version 1.
    public static let all: [Opcode] = [.hello, .auth, .health, .catalog, .prepare, .getOnline, .push, .predict]

    /// True for the opcodes of section 3 of docs/wire-protocol.md.
    public var isKnown: Bool { Self.all.contains(self) }

    /// `GET_ONLINE`, … or `0x1234` for an unknown one; also the `op` label of metrics.
    public var name: String {
        switch rawValue {
        case 0x0001: "HELLO"
        case 0x0002: "AUTH"
        case 0x0003: "HEALTH"
        case 0x0004: "CATALOG"
        case 0x0010: "PREPARE"
        case 0x0011: "GET_ONLINE"
        case 0x0012: "PUSH"
        case 0x0020: "PREDICT"
        default: "0x" + String(rawValue, radix: 16)
        }
    }

    /// Same as ``name``.
    public var description: String { name }
}

/// The `u16` flags of a frame header.
public struct FrameFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    /// Wraps raw flag bits (unknown bits are kept so they can be refused).
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Set on every server → client frame.
    public static let reply = FrameFlags(rawValue: 1 << 0)
    /// Set on error replies (with ``reply``); the payload is an ``ErrorReply``.
    public static let error = FrameFlags(rawValue: 1 << 1)
    /// The bits protocol version 1 defines; any other bit is a protocol violation.
    public static let known: FrameFlags = [.reply, .error]
}

/// One frame: the 12-byte header fields and the payload.
///
/// ```swift
/// let frame = Frame(request: HealthRequest(), id: 7)
/// var out = ByteBufferAllocator().buffer(capacity: 64)
/// frame.write(to: &out)
/// ```
public struct Frame: Sendable, Hashable {
    /// Size of the header: `u32 length, u16 opcode, u16 flags, u32 request id`.
    public static let headerBytes = 12
    /// The default largest payload a server accepts (16 MiB).
    public static let defaultMaxPayloadBytes = 16 * 1024 * 1024

    public var opcode: Opcode
    public var flags: FrameFlags
    public var requestId: UInt32
    /// The payload, exactly `length` bytes.
    public var payload: ByteBuffer

    /// A frame from its parts.
    public init(opcode: Opcode, flags: FrameFlags = [], requestId: UInt32, payload: ByteBuffer) {
        self.opcode = opcode; self.flags = flags; self.requestId = requestId; self.payload = payload
    }

    /// A request frame carrying `message`.
    public init<M: WireMessage>(request message: M, id: UInt32, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        var payload = allocator.buffer(capacity: 64)
        message.write(to: &payload)
        self.init(opcode: M.opcode, flags: [], requestId: id, payload: payload)
    }

    /// A reply frame to request `id` carrying `message`.
    public init<M: WireMessage>(reply message: M, id: UInt32, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        var payload = allocator.buffer(capacity: 64)
        message.write(to: &payload)
        self.init(opcode: M.opcode, flags: .reply, requestId: id, payload: payload)
    }

    /// An error reply for `error` (its request id and opcode).
    public init(error: WireError, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        var payload = allocator.buffer(capacity: 32 + error.message.utf8.count)
        ErrorReply(error).write(to: &payload)
        self.init(opcode: error.opcode, flags: [.reply, .error], requestId: error.requestId, payload: payload)
    }

    /// True when this is an error reply.
    public var isError: Bool { flags.contains(.error) }

    /// Writes header and payload to `buffer`.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(payload.readableBytes))
        buffer.writeInteger(opcode.rawValue)
        buffer.writeInteger(flags.rawValue)
        buffer.writeInteger(requestId)
        var p = payload
        buffer.writeBuffer(&p)
    }

    /// Decodes the payload as `M` (which must use it exactly). An error reply
    /// is thrown as its ``WireError`` instead.
    public func decode<M: WireMessage>(_ type: M.Type) throws -> M {
        if isError {
            let reply = try ErrorReply.decode(payload)
            throw WireError(reply.code, reply.message, requestId: requestId, opcode: opcode)
        }
        return try M.decode(payload)
    }
}
