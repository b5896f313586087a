import NIOCore

/// The protocol versions this module speaks.
public enum ProtocolVersion {
    /// The current (and only) version.
    public static let current: UInt16 = 1
    /// `"FSWP"`, the first bytes of a HELLO payload.
    public static let magic: [UInt8] = Array("FSWP".utf8)
}

/// HELLO request: magic, version range, client name, optional token.
///
/// ```swift
/// let hello = Hello(client: "fsclient-swift/1", token: nil)
/// ```
public struct Hello: WireMessage, Hashable {
    public static let opcode = Opcode.hello
    public var minVersion: UInt16
    public var maxVersion: UInt16
    /// Free text for logs, at most 256 bytes.
    public var client: String
    /// The API token, or nil.
    public var token: String?

    /// A HELLO for versions `minVersion...maxVersion`.
    public init(client: String, token: String?, minVersion: UInt16 = ProtocolVersion.current,
                maxVersion: UInt16 = ProtocolVersion.current) {
        self.client = client; self.token = token; self.minVersion = minVersion; self.maxVersion = maxVersion
    }

    public init(from buffer: inout ByteBuffer) throws {
        guard let magic = buffer.readBytes(length: 4), magic == ProtocolVersion.magic else {
            throw WireError(.malformed, "HELLO: the payload does not start with the magic \"FSWP\"")
        }
        minVersion = try buffer.readWire(UInt16.self, "HELLO min_version")
        maxVersion = try buffer.readWire(UInt16.self, "HELLO max_version")
        client = try buffer.readWireString("HELLO client")
        guard client.utf8.count <= 256 else { throw WireError(.malformed, "HELLO: client name over 256 bytes") }
        let t = try buffer.readWireString("HELLO token")
        token = t.isEmpty ? nil : t
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeBytes(ProtocolVersion.magic)
        buffer.writeInteger(minVersion)
        buffer.writeInteger(maxVersion)
        buffer.writeWireString(client)
        buffer.writeWireString(token ?? "")
    }
}

/// HELLO reply: the version chosen, who the server is, the scope granted and the limits.
public struct HelloReply: WireMessage, Hashable {
    public static let opcode = Opcode.hello

    /// Bits of ``serverFlags``.
    public struct ServerFlags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        /// Wraps raw bits.
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Every connection must present a token.
        public static let authRequired = ServerFlags(rawValue: 1)
        /// PUSH is refused.
        public static let readOnly = ServerFlags(rawValue: 2)
        /// The connection is TLS.
        public static let tls = ServerFlags(rawValue: 4)
    }

    public var version: UInt16
    public var server: String
    public var storeId: String
    public var scope: WireScope
    public var serverFlags: ServerFlags
    public var maxFrameBytes: UInt32
    public var maxEntities: UInt32
    public var maxRows: UInt32
    public var maxInFlight: UInt32

    /// A reply with every field given.
    public init(version: UInt16, server: String, storeId: String, scope: WireScope, serverFlags: ServerFlags,
                maxFrameBytes: UInt32, maxEntities: UInt32, maxRows: UInt32, maxInFlight: UInt32) {
        self.version = version; self.server = server; self.storeId = storeId; self.scope = scope
        self.serverFlags = serverFlags; self.maxFrameBytes = maxFrameBytes; self.maxEntities = maxEntities
        self.maxRows = maxRows; self.maxInFlight = maxInFlight
    }

    public init(from buffer: inout ByteBuffer) throws {
        version = try buffer.readWire(UInt16.self, "HELLO version")
        server = try buffer.readWireString("HELLO server")
        storeId = try buffer.readWireString("HELLO store_id")
        let s = try buffer.readWire(UInt8.self, "HELLO scope")
        guard let scope = WireScope(rawValue: s) else { throw WireError(.malformed, "HELLO: unknown scope \(s)") }
        self.scope = scope
        serverFlags = ServerFlags(rawValue: try buffer.readWire(UInt8.self, "HELLO server_flags"))
        maxFrameBytes = try buffer.readWire(UInt32.self, "HELLO max_frame_bytes")
        maxEntities = try buffer.readWire(UInt32.self, "HELLO max_entities")
        maxRows = try buffer.readWire(UInt32.self, "HELLO max_rows")
        maxInFlight = try buffer.readWire(UInt32.self, "HELLO max_in_flight")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(version)
        buffer.writeWireString(server)
        buffer.writeWireString(storeId)
        buffer.writeInteger(scope.rawValue)
        buffer.writeInteger(serverFlags.rawValue)
        buffer.writeInteger(maxFrameBytes)
        buffer.writeInteger(maxEntities)
        buffer.writeInteger(maxRows)
        buffer.writeInteger(maxInFlight)
    }
}

/// AUTH request: a token for an open connection.
public struct Auth: WireMessage, Hashable {
    public static let opcode = Opcode.auth
    public var token: String
    /// An AUTH with `token`.
    public init(token: String) { self.token = token }
    public init(from buffer: inout ByteBuffer) throws { token = try buffer.readWireString("AUTH token") }
    public func write(to buffer: inout ByteBuffer) { buffer.writeWireString(token) }
}

/// AUTH reply: the scope now granted.
public struct AuthReply: WireMessage, Hashable {
    public static let opcode = Opcode.auth
    public var scope: WireScope
    /// A reply granting `scope`.
    public init(scope: WireScope) { self.scope = scope }
    public init(from buffer: inout ByteBuffer) throws {
        let s = try buffer.readWire(UInt8.self, "AUTH scope")
        guard let scope = WireScope(rawValue: s) else { throw WireError(.malformed, "AUTH: unknown scope \(s)") }
        self.scope = scope
    }
    public func write(to buffer: inout ByteBuffer) { buffer.writeInteger(scope.rawValue) }
}

/// HEALTH request (empty payload).
public struct HealthRequest: WireMessage, Hashable {
    public static let opcode = Opcode.health
    /// The request.
    public init() {}
    public init(from buffer: inout ByteBuffer) throws {}
    public func write(to buffer: inout ByteBuffer) {}
}

/// HEALTH reply: serving or draining, and the store's vital signs.
public struct HealthReply: WireMessage, Hashable {
    public static let opcode = Opcode.health
    /// 0 serving, 1 draining.
    public var draining: Bool
    public var uptimeMs: UInt64
    public var connections: UInt32
    public var requests: UInt64
    public var mapSizeBytes: UInt64
    public var mapUsedBytes: UInt64
    public var readersUsed: UInt32
    public var readersMax: UInt32

    /// A reply with every field given.
    public init(draining: Bool, uptimeMs: UInt64, connections: UInt32, requests: UInt64, mapSizeBytes: UInt64,
                mapUsedBytes: UInt64, readersUsed: UInt32, readersMax: UInt32) {
        self.draining = draining; self.uptimeMs = uptimeMs; self.connections = connections; self.requests = requests
        self.mapSizeBytes = mapSizeBytes; self.mapUsedBytes = mapUsedBytes
        self.readersUsed = readersUsed; self.readersMax = readersMax
    }

    public init(from buffer: inout ByteBuffer) throws {
        let status = try buffer.readWire(UInt8.self, "HEALTH status")
        guard status <= 1 else { throw WireError(.malformed, "HEALTH: unknown status \(status)") }
        draining = status == 1
        uptimeMs = try buffer.readWire(UInt64.self, "HEALTH uptime_ms")
        connections = try buffer.readWire(UInt32.self, "HEALTH connections")
        requests = try buffer.readWire(UInt64.self, "HEALTH requests")
        mapSizeBytes = try buffer.readWire(UInt64.self, "HEALTH map_size_bytes")
        mapUsedBytes = try buffer.readWire(UInt64.self, "HEALTH map_used_bytes")
        readersUsed = try buffer.readWire(UInt32.self, "HEALTH readers_used")
        readersMax = try buffer.readWire(UInt32.self, "HEALTH readers_max")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(draining ? 1 : 0))
        buffer.writeInteger(uptimeMs)
        buffer.writeInteger(connections)
        buffer.writeInteger(requests)
        buffer.writeInteger(mapSizeBytes)
        buffer.writeInteger(mapUsedBytes)
        buffer.writeInteger(readersUsed)
        buffer.writeInteger(readersMax)
    }
}
