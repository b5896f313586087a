import NIOCore

/// A name with a type: a join key or a feature.
public struct WireField: Hashable, Sendable {
    public var name: String
    public var type: WireType
    /// A field.
    public init(_ name: String, _ type: WireType) { self.name = name; self.type = type }

    static func read(_ buffer: inout ByteBuffer, _ what: String) throws -> WireField {
        WireField(try buffer.readWireString("\(what) name"), try buffer.readWireType("\(what) type"))
    }

    func write(to buffer: inout ByteBuffer) {
        buffer.writeWireString(name)
        buffer.writeWireType(type)
    }
}

/// CATALOG request (empty payload).
public struct CatalogRequest: WireMessage, Hashable {
    public static let opcode = Opcode.catalog
    /// The request.
    public init() {}
    public init(from buffer: inout ByteBuffer) throws {}
    public func write(to buffer: inout ByteBuffer) {}
}

/// CATALOG reply: entities, tables (current versions) and services, each sorted by name.
public struct CatalogReply: WireMessage, Hashable {
    public static let opcode = Opcode.catalog

    /// An entity and its join keys.
    public struct Entity: Hashable, Sendable {
        public var name: String
        public var joinKeys: [WireField]
        /// An entity.
        public init(name: String, joinKeys: [WireField]) { self.name = name; self.joinKeys = joinKeys }
    }

    /// A feature table's current version.
    public struct Table: Hashable, Sendable {
        public var name: String
        public var version: UInt32
        /// Microseconds; 0 = no expiry.
        public var ttlMicros: Int64
        public var entities: [String]
        public var timestampField: String
        /// nil when the table has none.
        public var createdTimestampField: String?
        public var features: [WireField]
        /// A table.
        public init(name: String, version: UInt32, ttlMicros: Int64, entities: [String], timestampField: String,
                    createdTimestampField: String?, features: [WireField]) {
            self.name = name; self.version = version; self.ttlMicros = ttlMicros; self.entities = entities
            self.timestampField = timestampField; self.createdTimestampField = createdTimestampField
            self.features = features
        }
    }

    /// A feature service.
    public struct Service: Hashable, Sendable {
        public var name: String
        public var refs: [String]
        /// A service.
        public init(name: String, refs: [String]) { self.name = name; self.refs = refs }
    }

    public var entities: [Entity]
    public var tables: [Table]
    public var services: [Service]

    /// A reply.
    public init(entities: [Entity], tables: [Table], services: [Service]) {
        self.entities = entities; self.tables = tables; self.services = services
    }

    public init(from buffer: inout ByteBuffer) throws {
        entities = []
        for _ in 0..<(try buffer.readWireCount("CATALOG entities", minBytesEach: 6)) {
            let name = try buffer.readWireString("CATALOG entity name")
            var keys: [WireField] = []
            for _ in 0..<(try buffer.readWireCount("CATALOG join keys", minBytesEach: 3)) {
                keys.append(try WireField.read(&buffer, "CATALOG join key"))
            }
            entities.append(Entity(name: name, joinKeys: keys))
        }
        tables = []
        for _ in 0..<(try buffer.readWireCount("CATALOG tables", minBytesEach: 26)) {
            let name = try buffer.readWireString("CATALOG table name")
            let version = try buffer.readWire(UInt32.self, "CATALOG table version")
            let ttl = try buffer.readWire(Int64.self, "CATALOG table ttl")
            var ents: [String] = []
            for _ in 0..<(try buffer.readWireCount("CATALOG table entities", minBytesEach: 2)) {
                ents.append(try buffer.readWireString("CATALOG table entity"))
            }
            let ts = try buffer.readWireString("CATALOG timestamp field")
            let created = try buffer.readWireString("CATALOG created timestamp field")
            var features: [WireField] = []
            for _ in 0..<(try buffer.readWireCount("CATALOG features", minBytesEach: 3)) {
                features.append(try WireField.read(&buffer, "CATALOG feature"))
            }
            tables.append(Table(name: name, version: version, ttlMicros: ttl, entities: ents, timestampField: ts,
                                createdTimestampField: created.isEmpty ? nil : created, features: features))
        }
        services = []
        for _ in 0..<(try buffer.readWireCount("CATALOG services", minBytesEach: 6)) {
            let name = try buffer.readWireString("CATALOG service name")
            var refs: [String] = []
            for _ in 0..<(try buffer.readWireCount("CATALOG service refs", minBytesEach: 2)) {
                refs.append(try buffer.readWireString("CATALOG service ref"))
            }
            services.append(Service(name: name, refs: refs))
        }
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeWireCount(entities.count)
        for e in entities {
            buffer.writeWireString(e.name)
            buffer.writeWireCount(e.joinKeys.count)
            for k in e.joinKeys { k.write(to: &buffer) }
        }
        buffer.writeWireCount(tables.count)
        for t in tables {
            buffer.writeWireString(t.name)
            buffer.writeInteger(t.version)
            buffer.writeInteger(t.ttlMicros)
            buffer.writeWireCount(t.entities.count)
            for e in t.entities { buffer.writeWireString(e) }
            buffer.writeWireString(t.timestampField)
            buffer.writeWireString(t.createdTimestampField ?? "")
            buffer.writeWireCount(t.features.count)
            for f in t.features { f.write(to: &buffer) }
        }
        buffer.writeWireCount(services.count)
        for s in services {
            buffer.writeWireString(s.name)
            buffer.writeWireCount(s.refs.count)
            for r in s.refs { buffer.writeWireString(r) }
        }
    }
}
