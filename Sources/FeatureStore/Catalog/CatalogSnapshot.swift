import Tabular

/// One stored schema version of a feature table.
///
/// `tableId` is assigned when the table is first created and kept across
/// versions; it prefixes every event and online key of the table.
public struct FeatureTableVersion: Hashable, Sendable, Codable {
    public var tableId: UInt32
    /// 1, 2, … per table.
    public var version: Int
    public var definition: FeatureTableDefinition
    /// When `fsctl apply` created this version (UTC microseconds).
    public var createdAtMicros: Int64
    public init(tableId: UInt32, version: Int, definition: FeatureTableDefinition, createdAtMicros: Int64) {
        self.tableId = tableId; self.version = version; self.definition = definition
        self.createdAtMicros = createdAtMicros
    }
    public var name: String { definition.name }
}

/// The whole catalog as of one read transaction: what `apply` plans against and
/// what feature refs resolve in.
public struct CatalogSnapshot: Sendable, Equatable {
    public var entities: [String: EntityDefinition] = [:]
    /// Every version of every table, ascending by version.
    public var tables: [String: [FeatureTableVersion]] = [:]
    public var services: [String: FeatureServiceDefinition] = [:]
    public init() {}

    /// The newest version of `table`, if the table exists.
    public func currentVersion(of table: String) -> FeatureTableVersion? { tables[table]?.last }

    /// Version `version` of `table`, if it exists.
    public func version(_ version: Int, of table: String) -> FeatureTableVersion? {
        tables[table]?.first { $0.version == version }
    }
}
