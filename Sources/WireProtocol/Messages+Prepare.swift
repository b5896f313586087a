import NIOCore

/// Which features to look up: refs and services, with the naming option.
/// The PREPARE request, and inline in GET_ONLINE (selector 1).
///
/// ```swift
/// let selection = FeatureSelection(refs: ["user_stats:age", "user_stats:country"])
/// ```
public struct FeatureSelection: WireMessage, Hashable {
    public static let opcode = Opcode.prepare
    public var refs: [String]
    public var services: [String]
    /// Name outputs `table__feature`.
    public var fullFeatureNames: Bool

    /// A selection.
    public init(refs: [String] = [], services: [String] = [], fullFeatureNames: Bool = false) {
        self.refs = refs; self.services = services; self.fullFeatureNames = fullFeatureNames
    }

    public init(from buffer: inout ByteBuffer) throws {
        let options = try buffer.readWire(UInt8.self, "selection options")
        guard options & ~1 == 0 else { throw WireError(.malformed, "selection options: unknown bits \(options)") }
        fullFeatureNames = options & 1 != 0
        refs = []
        for _ in 0..<(try buffer.readWireCount("selection refs", minBytesEach: 2)) {
            refs.append(try buffer.readWireString("selection ref"))
        }
        services = []
        for _ in 0..<(try buffer.readWireCount("selection services", minBytesEach: 2)) {
            services.append(try buffer.readWireString("selection service"))
        }
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(fullFeatureNames ? 1 : 0))
        buffer.writeWireCount(refs.count)
        for r in refs { buffer.writeWireString(r) }
        buffer.writeWireCount(services.count)
        for s in services { buffer.writeWireString(s) }
    }
}

/// One feature of a prepared list: output name, resolved ref, type.
public struct ListedFeature: Hashable, Sendable {
    /// `age`, or `user_stats__age` with full names.
    public var name: String
    /// `user_stats:age` (resolved, never `*`).
    public var ref: String
    public var type: WireType
    /// A listed feature.
    public init(name: String, ref: String, type: WireType) { self.name = name; self.ref = ref; self.type = type }
}

/// The columns of a prepared feature list: join keys, then features.
public struct FeatureListColumns: Hashable, Sendable {
    public var joinKeys: [WireField]
    public var features: [ListedFeature]
    /// Columns.
    public init(joinKeys: [WireField], features: [ListedFeature]) { self.joinKeys = joinKeys; self.features = features }

    static func read(_ buffer: inout ByteBuffer) throws -> FeatureListColumns {
        var keys: [WireField] = []
        for _ in 0..<(try buffer.readWireCount("list join keys", minBytesEach: 3)) {
            keys.append(try WireField.read(&buffer, "list join key"))
        }
        var features: [ListedFeature] = []
        for _ in 0..<(try buffer.readWireCount("list features", minBytesEach: 5)) {
            features.append(ListedFeature(name: try buffer.readWireString("list feature name"),
                                          ref: try buffer.readWireString("list feature ref"),
                                          type: try buffer.readWireType("list feature type")))
        }
        return FeatureListColumns(joinKeys: keys, features: features)
    }

    func write(to buffer: inout ByteBuffer) {
        buffer.writeWireCount(joinKeys.count)
        for k in joinKeys { k.write(to: &buffer) }
        buffer.writeWireCount(features.count)
        for f in features {
            buffer.writeWireString(f.name)
            buffer.writeWireString(f.ref)
            buffer.writeWireType(f.type)
        }
    }
}

/// PREPARE reply: the list id and its columns.
public struct FeatureListDescription: WireMessage, Hashable {
    public static let opcode = Opcode.prepare
    /// Nonzero, server-wide.
    public var listId: UInt32
    public var columns: FeatureListColumns

    /// A description.
    public init(listId: UInt32, columns: FeatureListColumns) { self.listId = listId; self.columns = columns }

    public init(from buffer: inout ByteBuffer) throws {
        listId = try buffer.readWire(UInt32.self, "PREPARE list_id")
        columns = try FeatureListColumns.read(&buffer)
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(listId)
        columns.write(to: &buffer)
    }
}
