import Dispatch
import FeatureStore
import LMDB
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Tabular
import WireProtocol

/// The operations of the protocol, run against the store: everything a
/// connection needs that is not socket handling. Shared by all connections.
///
/// Reads (GET_ONLINE, PREPARE, CATALOG, HEALTH) run on the calling event-loop
/// thread in short LMDB read transactions; PUSH runs on one serial writer
/// queue, off the event loops, and completes through a callback.
final class ServerCore: Sendable {
    let store: Store
    let config: ServerConfiguration
    let lists: PreparedLists
    let tokens: TokenBook?
    let metrics: ServerMetrics
    let logger: Logger
    let storeId: String
    let predictor: Predictor
    private let startedAtMicros = Clock.nowMicros()
    private let writer = DispatchQueue(label: "featurestore.server.writer", qos: .userInitiated)
    private let counters = NIOLockedValueBox(Counters())
    /// The server's version string in HELLO replies.
    static let serverName = "featurestore/1"

    struct Counters {
        var connections = 0
        var draining = false
    }

    init(store: Store, config: ServerConfiguration, tokens: TokenBook?, logger: Logger) throws {
        self.store = store
        self.config = config
        self.tokens = tokens
        self.logger = logger
        self.lists = PreparedLists(store: store)
        self.metrics = ServerMetrics(store: store)
        self.storeId = try store.storeId()
        self.predictor = try Predictor(store: store, config: config, writer: writer, logger: logger)
    }

    // MARK: Bookkeeping

    var isDraining: Bool { counters.withLockedValue { $0.draining } }
    func startDraining() { counters.withLockedValue { $0.draining = true } }
    var connectionCount: Int { counters.withLockedValue { $0.connections } }

    /// Registers a new connection; false when over `maxConnections` (or draining).
    func connectionOpened() -> Bool {
        let admitted = counters.withLockedValue { c -> Bool in
            guard c.connections < config.maxConnections, !c.draining else { return false }
            c.connections += 1
            return true
        }
        if admitted { metrics.connections.increment() }
        return admitted
    }

    func connectionClosed() {
        counters.withLockedValue { $0.connections -= 1 }
        metrics.connections.decrement()
    }

    // MARK: Replies

    /// A whole reply frame (header + `message`) in one buffer.
    static func reply<M: WireMessage>(_ message: M, to requestId: UInt32, allocator: ByteBufferAllocator) -> ByteBuffer {
        var out = allocator.buffer(capacity: 256)
        beginReply(M.opcode, requestId, into: &out)
        message.write(to: &out)
        endReply(&out)
        return out
    }

    static func errorFrame(_ error: WireError, allocator: ByteBufferAllocator) -> ByteBuffer {
        var out = allocator.buffer(capacity: 64 + error.message.utf8.count)
        Frame(error: error, allocator: allocator).write(to: &out)
        return out
    }

    @inline(__always)
    static func beginReply(_ opcode: Opcode, _ requestId: UInt32, into out: inout ByteBuffer) {
        out.writeInteger(UInt32(0))              // patched by endReply
        out.writeInteger(opcode.rawValue)
        out.writeInteger(FrameFlags.reply.rawValue)
        out.writeInteger(requestId)
    }

    @inline(__always)
    static func endReply(_ out: inout ByteBuffer) {
        out.setInteger(UInt32(out.writerIndex - out.readerIndex - Frame.headerBytes), at: out.readerIndex)
    }

    // MARK: Session

    /// HELLO: the version and the token. Returns the reply and the scope, or an
    /// error reply (and its code) that closes the connection.
    func hello(_ frame: Frame, tls: Bool, allocator: ByteBufferAllocator)
        -> (reply: ByteBuffer, scope: WireScope?, credential: TokenBook.Credential?, error: ErrorCode?) {
        do {
            let hello = try Hello.decode(frame.payload)
            guard hello.minVersion <= ProtocolVersion.current, ProtocolVersion.current <= hello.maxVersion else {
                throw WireError(.unsupportedVersion, "this server speaks protocol version \(ProtocolVersion.current); the client asked for \(hello.minVersion)...\(hello.maxVersion)")
            }
            let (scope, credential) = try authenticateSession(hello.token)
            var flags: HelloReply.ServerFlags = []
            if config.authRequired { flags.insert(.authRequired) }
            if config.readOnly { flags.insert(.readOnly) }
            if tls { flags.insert(.tls) }
            let reply = HelloReply(version: ProtocolVersion.current, server: Self.serverName, storeId: storeId, scope: scope,
                                   serverFlags: flags, maxFrameBytes: UInt32(config.maxFrameBytes),
                                   maxEntities: UInt32(config.maxEntities), maxRows: UInt32(config.maxRows),
                                   maxInFlight: UInt32(config.maxInFlight))
            return (Self.reply(reply, to: frame.requestId, allocator: allocator), scope, credential, nil)
        } catch {
            var e = WireConversion.wireError(error)
            e.requestId = frame.requestId
            e.opcode = .hello
            return (Self.errorFrame(e, allocator: allocator), nil, nil, e.code)
        }
    }

    /// The scope a token grants (no token: admin unless auth is required).
    func authenticate(_ token: String?) throws -> WireScope {
        try authenticateSession(token).scope
    }

    /// The scope a token grants, and the credential a connection keeps to
    /// re-check per request that the token was not revoked meanwhile.
    func authenticateSession(_ token: String?) throws -> (scope: WireScope, credential: TokenBook.Credential?) {
        guard let token else {
            if config.authRequired { throw WireError(.unauthenticated, "this server requires a token (HELLO carried none)") }
            return (.admin, nil)
        }
        guard let book = tokens, let (record, credential) = try book.authenticateForSession(token) else {
            throw WireError(.unauthenticated, "unknown or revoked token")
        }
        switch record.scope {
        case .read: return (.read, credential)
        case .write: return (.write, credential)
        case .admin: return (.admin, credential)
        }
    }

    static let revokedMessage = "the token of this connection was revoked (the connection is closed; connect again with a valid token)"

    /// Refuses the request (and marks the session for closing) when the
    /// connection's token was revoked since it authenticated. GET_ONLINE checks
    /// inside its lookup transaction instead; this costs a read transaction.
    func checkToken(_ session: inout SessionCache) throws {
        guard let credential = session.credential else { return }
        if try !credential.isValid() {
            session.revoked = true
            throw WireError(.unauthenticated, Self.revokedMessage)
        }
    }

    // MARK: Reads

    /// Runs a synchronous (read) operation; returns the reply frame.
    func handleRead(_ frame: Frame, session: inout SessionCache, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        if frame.opcode != .getOnline && frame.opcode != .auth { try checkToken(&session) }
        switch frame.opcode {
        case .auth:
            let auth = try Auth.decode(frame.payload)
            let (scope, credential) = try authenticateSession(auth.token)
            session.scopeChange = scope
            session.credential = credential
            return Self.reply(AuthReply(scope: scope), to: frame.requestId, allocator: allocator)
        case .health:
            _ = try HealthRequest.decode(frame.payload)
            return Self.reply(try health(), to: frame.requestId, allocator: allocator)
        case .catalog:
            _ = try CatalogRequest.decode(frame.payload)
            return Self.reply(try catalogReply(), to: frame.requestId, allocator: allocator)
        case .prepare:
            let selection = try FeatureSelection.decode(frame.payload)
            let list = try lists.prepare(selection, generation: try store.catalogGeneration())
            return Self.reply(FeatureListDescription(listId: list.id, columns: list.columns), to: frame.requestId, allocator: allocator)
        case .getOnline:
            return try getOnline(frame, session: &session, allocator: allocator)
        case .predict:
            return try predict(frame, session: &session, allocator: allocator)
        default:
            throw WireError(.unknownOpcode, "unknown opcode \(frame.opcode.name)")
        }
    }

    func health() throws -> HealthReply {
        let info = try store.environment.info()
        let c = counters.withLockedValue { $0 }
        return HealthReply(draining: c.draining, uptimeMs: UInt64(max(0, (Clock.nowMicros() - startedAtMicros) / 1000)),
                           connections: UInt32(c.connections), requests: metrics.totals().requests,
                           mapSizeBytes: UInt64(info.mapSize), mapUsedBytes: UInt64(info.usedBytes),
                           readersUsed: UInt32(info.readersUsed), readersMax: UInt32(info.maxReaders))
    }

    func catalogReply() throws -> CatalogReply {
        let catalog = try store.catalog()
        let entities = catalog.entities.values.sorted { $0.name < $1.name }.map { e in
            CatalogReply.Entity(name: e.name, joinKeys: e.joinKeys.map { WireField($0.name, WireConversion.wireType($0.type)) })
        }
        let tables = catalog.tables.keys.sorted().compactMap { name -> CatalogReply.Table? in
            guard let v = catalog.currentVersion(of: name) else { return nil }
            let d = v.definition
            return CatalogReply.Table(name: name, version: UInt32(v.version), ttlMicros: d.ttlMicros, entities: d.entities,
                                      timestampField: d.timestampField, createdTimestampField: d.createdTimestampField,
                                      features: d.features.map { WireField($0.name, WireConversion.wireType($0.type)) })
        }
        let services = catalog.services.values.sorted { $0.name < $1.name }.map {
            CatalogReply.Service(name: $0.name, refs: $0.features)
        }
        return CatalogReply(entities: entities, tables: tables, services: services)
    }

    /// GET_ONLINE: one read transaction for all entities, which also checks the
    /// catalog generation and the connection's token; cells written straight into the reply.
    func getOnline(_ frame: Frame, session: inout SessionCache, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var payload = frame.payload
        let head = try GetOnlineRequest.readHead(from: &payload)
        var list: PreparedList
        let described: Bool
        switch head.target {
        case .list(let id):
            // The connection's last list, without the lock the event loops
            // share (contended, it put requests to sleep in futex). A list
            // re-resolved since is caught by the read's generation check below.
            if let held = session.list, held.id == id { list = held } else { list = try lists.list(id) }
            described = false
        case .selection(let s):
            list = try lists.prepare(s)
            described = true
        }
        let n = head.entityCount
        guard n <= config.maxEntities else {
            throw WireError(.limitExceeded, "\(n) entities in one request; the limit is \(config.maxEntities)")
        }
        let k = head.keyCount
        try Self.checkKeyCount(list, k)
        // Keys decoded straight into the connection's reusable rows (no allocation once warm for integer keys).
        if session.entities.count != n || session.entities.first?.count != k {
            session.entities = Array(repeating: Array(repeating: Value.int64(0), count: k), count: n)
        }
        for e in 0..<n {
            for j in 0..<k {
                session.entities[e][j] = WireConversion.value(try payload.readWireTaggedValue("GET_ONLINE key"))
            }
        }
        guard payload.readableBytes == 0 else {
            throw WireError(.malformed, "GET_ONLINE: \(payload.readableBytes) trailing byte(s) after the keys")
        }
        var result: OnlineFeatures
        if session.lastListId == list.id, let last = session.lastResult.take() {
            result = last
        } else {
            result = list.query.emptyResult()
        }
        var attempts = 0
        lookup: while true {
            switch try list.query.read(entities: session.entities, at: head.at, into: &result, requiring: session.credential,
                                       checks: &session.checks) {
            case .done:
                break lookup
            case .tokenRevoked:
                session.revoked = true
                throw WireError(.unauthenticated, Self.revokedMessage)
            case .catalogChanged(let generation):
                // The catalog moved since the list was prepared: prepare it again (stale when its columns changed).
                attempts += 1
                guard attempts < 8 else { throw WireError(.conflict, "the catalog kept changing during the lookup; try again") }
                switch head.target {
                case .list(let id): list = try lists.list(id, generation: generation)
                case .selection(let s): list = try lists.prepare(s, generation: generation)
                }
                try Self.checkKeyCount(list, k)
                result = list.query.emptyResult()
            }
        }
        // The whole reply frame is built in the connection's scratch bytes, then
        // copied into the outbound buffer at once: a ByteBuffer write costs a
        // uniqueness and an exclusivity check each, and a reply has 3 per cell.
        var hits = 0, misses = 0, stale = 0
        session.scratch.removeAll(keepingCapacity: true)
        session.scratch.appendReplyHeader(.getOnline, requestId: frame.requestId)
        if described {
            var head = allocator.buffer(capacity: 256)
            head.writeGetOnlineReplyHead(listId: list.id, description: list.columns, entityCount: n, types: list.featureTypes)
            session.scratch.append(contentsOf: head.readableBytesView)
        } else {
            session.scratch.appendBigEndian(list.id)
            session.scratch.append(0)
            session.scratch.appendBigEndian(UInt32(n))
            session.scratch.append(contentsOf: list.typesBytes)
        }
        result.columns.withUnsafeBufferPointer { columns in
            for c in k..<columns.count {
                for r in 0..<n {
                    let status = columns[c].statuses[r]
                    switch status {
                    case .present, .nullValue: hits += 1
                    case .notFound: misses += 1
                    case .outsideMaxAge: stale += 1
                    }
                    session.scratch.appendOnlineCell(status, eventTimestamp: columns[c].eventTimestamps[r], value: columns[c].values[r])
                }
            }
        }
        session.scratch.patchFrameLength()
        var out = allocator.buffer(capacity: session.scratch.count)
        out.writeBytes(session.scratch)
        session.lastListId = list.id
        session.lastResult = result
        if case .list = head.target { session.list = list }
        session.lookups = (hits, misses, stale)
        return out
    }

    static func checkKeyCount(_ list: PreparedList, _ k: Int) throws {
        let joinKeys = list.columns.joinKeys
        guard joinKeys.count == k else {
            throw WireError(.invalidArgument, "feature list \(list.id) has \(joinKeys.count) join key(s) (\(joinKeys.map(\.name).joined(separator: ", "))); the request gave \(k) per entity")
        }
    }

    // MARK: Writes

    /// Waits until every push handed to the writer has finished (before the event loops stop).
    func waitForWrites() { predictor.flushLog(); writer.sync {} }

    /// PUSH on the serial writer queue; `done` gets the reply frame (or error frame) once committed.
    func push(_ frame: Frame, allocator: ByteBufferAllocator, done: @escaping @Sendable (ByteBuffer, ErrorCode?) -> Void) {
        let requestId = frame.requestId
        let request: PushRequest
        do {
            guard !config.readOnly else { throw WireError(.readOnly, "this server was started with --read-only") }
            request = try PushRequest.decode(frame.payload)
            guard request.rowCount > 0 else { throw WireError(.invalidArgument, "push to '\(request.table)': no rows") }
            guard request.rowCount <= config.maxRows else {
                throw WireError(.limitExceeded, "\(request.rowCount) rows in one push; the limit is \(config.maxRows)")
            }
        } catch {
            var e = WireConversion.wireError(error)
            e.requestId = requestId; e.opcode = .push
            done(Self.errorFrame(e, allocator: allocator), e.code)
            return
        }
        writer.async { [self] in
            do {
                let fields = try store.pushFields(table: request.table)
                var batchFields: [Field] = []
                var columns: [Column] = []
                for c in request.columns {
                    let type = fields.first { $0.name == c.name }?.type ?? WireConversion.dataType(c.type)
                    batchFields.append(Field(c.name, type))
                    columns.append(try WireConversion.column(c, as: type, table: request.table))
                }
                let batch = RecordBatch(fields: batchFields, columns: columns, sourceLines: (0..<request.rowCount).map { $0 + 1 })
                let destination: IngestOptions.Destination = switch request.destination {
                case .offline: .offline
                case .online: .online
                case .both: .both
                }
                let record = try store.push(table: request.table, rows: batch, destination: destination, source: "push")
                done(Self.reply(PushReply(batchId: record.id, rows: UInt32(record.rows)), to: requestId, allocator: allocator), nil)
            } catch {
                var e = WireConversion.wireError(error)
                if e.code == .internalError { logger.error("push to '\(request.table)' failed: \(error)") }
                e.requestId = requestId; e.opcode = .push
                done(Self.errorFrame(e, allocator: allocator), e.code)
            }
        }
    }
}

/// Per-connection state of the read path: the entity rows and the last
/// result (reused by the next lookup of the same list, so a warm lookup
/// allocates nothing), the token to re-check, and what the handler must apply.
struct SessionCache {
    var entities: [[Value]] = []
    var lastListId: UInt32 = 0
    var lastResult: OnlineFeatures?
    /// The token the connection authenticated with (nil: none given).
    var credential: TokenBook.Credential?
    /// What the lookups verified at which snapshot (catalog generation, token).
    var checks = LookupChecks()
    /// Set by AUTH for the handler to apply.
    var scopeChange: WireScope?
    /// Set when the token was found revoked: the handler closes the connection after the error reply.
    var revoked = false
    /// Reused bytes of the reply being built.
    var scratch: [UInt8] = []
    /// Hits, misses and stale cells of the last GET_ONLINE, for the loop's stats.
    var lookups: (hits: Int, misses: Int, stale: Int) = (0, 0, 0)
    /// The scorer of this connection's last PREDICT, reused without the
    /// server-wide cache's lock until that cache would check it again.
    var model: (ref: String, served: ServedModel, checkedAtNanos: UInt64)?
    /// The prepared list of this connection's last GET_ONLINE by list id.
    var list: PreparedList?
    /// This connection's last PREDICT request, decoded into in place.
    var predictRequest = PredictRequest(model: "", keyNames: [], keys: [])
}
