import WireProtocol

/// A value that can be an entity's join key in a lookup: `Int`, `Int64` and
/// `Int32` go as int64 / int32, `String` as string; any ``WireValue`` as itself.
///
/// ```swift
/// let entities: [String: [any EntityKey]] = ["user_id": [1, 2], "region": ["eu", "us"]]
/// ```
public protocol EntityKey: Sendable {
    /// The tagged value sent for this key.
    var wireValue: WireValue { get }
}

extension Int: EntityKey {
    /// int64.
    public var wireValue: WireValue { .int64(Int64(self)) }
}

extension Int64: EntityKey {
    /// int64.
    public var wireValue: WireValue { .int64(self) }
}

extension Int32: EntityKey {
    /// int32.
    public var wireValue: WireValue { .int32(self) }
}

extension String: EntityKey {
    /// string.
    public var wireValue: WireValue { .string(self) }
}

extension WireValue: EntityKey {
    /// Itself.
    public var wireValue: WireValue { self }
}

/// A feature list the server has resolved once (PREPARE): its id, join keys
/// and features. Look it up with ``FeatureClient/getOnlineFeatures(_:entities:at:)``
/// so hot requests carry 5 bytes instead of the names.
public struct PreparedFeatureList: Sendable, Hashable {
    /// The server-wide list id (lost when the server restarts).
    public var id: UInt32
    /// What was prepared.
    public var selection: FeatureSelection
    /// The join keys every entity gives, in the order keys are sent.
    public var joinKeys: [WireField]
    /// The output features, in order.
    public var features: [ListedFeature]

    /// A list from the server's description of `selection`.
    public init(selection: FeatureSelection, description: FeatureListDescription) {
        self.init(id: description.listId, selection: selection, columns: description.columns)
    }

    init(id: UInt32, selection: FeatureSelection, columns: FeatureListColumns) {
        self.id = id; self.selection = selection; joinKeys = columns.joinKeys; features = columns.features
    }
}

/// One output column of a lookup: a join key (the values sent, all `PRESENT`,
/// no event timestamps) or a feature, with a value, a status and an event
/// timestamp per entity, as FeatureStore's `OnlineColumn` holds them.
public struct OnlineFeatureColumn: Sendable, Hashable {
    /// The output name (`age`, or `user_stats__age` with full names, or the join key).
    public var name: String
    /// The column's type.
    public var type: WireType
    /// One value per entity; nil unless the status is `PRESENT`.
    public var values: [WireValue?]
    /// One status per entity.
    public var statuses: [WireStatus]
    /// UTC microseconds of each value's event; nil for join keys and `NOT_FOUND`.
    public var eventTimestamps: [Int64?]

    /// A column.
    public init(name: String, type: WireType, values: [WireValue?], statuses: [WireStatus], eventTimestamps: [Int64?]) {
        self.name = name; self.type = type; self.values = values; self.statuses = statuses
        self.eventTimestamps = eventTimestamps
    }
}

/// The answer to a lookup, in Feast's shape (SPEC 6, `fsctl get --json`):
/// the join-key columns first, then the features in the order requested.
public struct OnlineFeatureResult: Sendable, Hashable {
    /// The prepared list the server used.
    public var listId: UInt32
    /// Join keys, then features.
    public var columns: [OnlineFeatureColumn]

    /// A result.
    public init(listId: UInt32, columns: [OnlineFeatureColumn]) { self.listId = listId; self.columns = columns }

    /// Column names: join keys, then features.
    public var featureNames: [String] { columns.map(\.name) }
    /// Number of entities looked up.
    public var count: Int { columns.first?.values.count ?? 0 }
    /// The column named `name`.
    public func column(_ name: String) -> OnlineFeatureColumn? { columns.first { $0.name == name } }

    /// Builds the result of a reply to a lookup of `list` for `keys` (row-major, as sent).
    init(list: PreparedFeatureList, keys: [WireValue], reply: GetOnlineReply) {
        let k = list.joinKeys.count
        let n = reply.entityCount
        var columns: [OnlineFeatureColumn] = []
        columns.reserveCapacity(k + list.features.count)
        for (j, key) in list.joinKeys.enumerated() {
            var values: [WireValue?] = []
            values.reserveCapacity(n)
            for e in 0..<n { values.append(keys[e * k + j]) }
            columns.append(OnlineFeatureColumn(name: key.name, type: key.type, values: values,
                                               statuses: Array(repeating: .present, count: n),
                                               eventTimestamps: Array(repeating: nil, count: n)))
        }
        for (f, feature) in list.features.enumerated() {
            let cells = reply.cells[f]
            columns.append(OnlineFeatureColumn(name: feature.name, type: reply.types[f], values: cells.map(\.value),
                                               statuses: cells.map(\.status), eventTimestamps: cells.map(\.eventTimestamp)))
        }
        self.init(listId: reply.listId, columns: columns)
    }
}
