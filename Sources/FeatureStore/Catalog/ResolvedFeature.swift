/// One feature a ref resolved to, with everything a reader needs to find its
/// values: the table's id (the key prefix of its events and online rows), the
/// schema version whose definition applies, and the feature's position in it.
///
/// ```swift
/// let features = try snapshot.resolve(refs: ["user_stats:age", "user_stats@1:*"])
/// features[0].table      // "user_stats"
/// features[0].version    // the current version, e.g. 2
/// features[0].index      // position of `age` in version 2's feature list
/// ```
public struct ResolvedFeature: Hashable, Sendable, CustomStringConvertible {
    /// The feature table's name.
    public var table: String
    /// The feature table's id.
    public var tableId: UInt32
    /// The schema version used: the pinned one, or the current one.
    public var version: Int
    /// Whether the ref pinned the version (`table@N:…`).
    public var isPinned: Bool
    /// The feature as declared in ``version``.
    public var feature: FeatureDefinition
    /// The feature's index in ``version``'s feature list.
    public var index: Int

    /// Makes a resolved feature; normally made by ``CatalogSnapshot/resolve(refs:services:)``.
    public init(table: String, tableId: UInt32, version: Int, isPinned: Bool, feature: FeatureDefinition, index: Int) {
        self.table = table; self.tableId = tableId; self.version = version; self.isPinned = isPinned
        self.feature = feature; self.index = index
    }

    /// The feature's name.
    public var name: String { feature.name }

    /// The ref naming exactly this feature: `user_stats:age`, or
    /// `user_stats@1:age` when pinned.
    public var ref: FeatureRef {
        FeatureRef(table: table, version: isPinned ? version : nil, selection: .feature(feature.name))
    }

    /// `table__feature`, the column name with `--full-feature-names` (SPEC 7).
    public var fullName: String { "\(table)__\(feature.name)" }

    /// Same as ``ref``'s description.
    public var description: String { ref.description }
}
