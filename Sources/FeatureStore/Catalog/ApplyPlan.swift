/// What `fsctl apply` will do, object by object, as computed by
/// ``CatalogPlanner/plan(current:desired:allowBreaking:)``: printed by
/// `--dry-run`, then carried out by ``apply(to:nextTableId:nowMicros:)``.
///
/// ```swift
/// let plan = try CatalogPlanner.plan(current: snapshot, desired: definitions, allowBreaking: false)
/// print(plan.render())
/// // entity user: unchanged
/// // table user_stats: new version 2 (was 1)
/// //   + feature credit_score: float64
/// // service churn_v1: create
/// // Plan: 1 to create, 1 new version, 0 to update, 1 unchanged.
/// let result = plan.apply(to: snapshot, nextTableId: 7, nowMicros: now)
/// // write result.changes in the same transaction
/// ```
public struct ApplyPlan: Sendable, Equatable {
    /// What happens to one object.
    public enum Action: Hashable, Sendable {
        /// A new object (a table gets version 1).
        case create
        /// An entity or service changes in place (they are not versioned).
        case update
        /// A table gets a new schema version; `breaking` when the change was
        /// allowed only by `allowBreaking`.
        case newVersion(from: Int, to: Int, breaking: Bool)
        /// The file declares the object exactly as stored.
        case unchanged
    }

    /// One definition from the file, as it will be stored.
    public enum Object: Hashable, Sendable {
        /// An entity.
        case entity(EntityDefinition)
        /// A feature table: the content of the version it becomes.
        case table(FeatureTableDefinition)
        /// A feature service.
        case service(FeatureServiceDefinition)

        /// The object's kind and name.
        public var key: CatalogObjectKey {
            switch self {
            case .entity(let e): CatalogObjectKey(.entity, e.name)
            case .table(let t): CatalogObjectKey(.table, t.name)
            case .service(let s): CatalogObjectKey(.service, s.name)
            }
        }
    }

    /// One line of a plan's detail: `+ feature credit_score: float64`,
    /// `~ ttl: 1d → 2d`, `- feature old_col (breaking)`.
    public struct Change: Hashable, Sendable, CustomStringConvertible {
        /// Whether something is added, removed or modified.
        public enum Kind: String, Hashable, Sendable {
            /// `+`: something new (a feature, a ref).
            case added = "+"
            /// `-`: something removed.
            case removed = "-"
            /// `~`: a value changed (`~ ttl: 1d → 2d`).
            case modified = "~"
        }
        /// Added, removed or modified.
        public var kind: Kind
        /// The change without its sign: `feature age: float32 → float64`.
        public var text: String
        /// Whether the change needs `allowBreaking`.
        public var isBreaking: Bool

        /// Makes a change line.
        public init(_ kind: Kind, _ text: String, breaking: Bool = false) {
            self.kind = kind; self.text = text; self.isBreaking = breaking
        }

        /// `+ text`, `- text (breaking)`, …
        public var description: String { "\(kind.rawValue) \(text)\(isBreaking ? " (breaking)" : "")" }
    }

    /// One object of the file and what happens to it.
    public struct Item: Hashable, Sendable {
        /// The definition from the file.
        public var object: Object
        /// What happens to it.
        public var action: Action
        /// What differs from the store, for updates and new versions; empty
        /// for creations and unchanged objects.
        public var changes: [Change]
        /// Where the file declares the object.
        public var location: SourceLocation?
        /// The id of an existing table (for `newVersion` and `unchanged`
        /// tables); nil otherwise.
        public var tableId: UInt32?

        /// Makes an item; normally made by ``CatalogPlanner``.
        public init(object: Object, action: Action, changes: [Change] = [], location: SourceLocation? = nil,
                    tableId: UInt32? = nil) {
            self.object = object; self.action = action; self.changes = changes
            self.location = location; self.tableId = tableId
        }

        /// The object's kind and name.
        public var key: CatalogObjectKey { object.key }

        /// `table user_stats: new version 2 (was 1)`, without the change lines.
        public var headline: String {
            let action = switch action {
            case .create: "create"
            case .update: "update"
            case .unchanged: "unchanged"
            case .newVersion(let from, let to, let breaking): "new version \(to) (was \(from)\(breaking ? ", breaking" : ""))"
            }
            return "\(key.kind.rawValue) \(key.name): \(action)"
        }
    }

    /// The file's objects: entities, then tables, then services, each by name.
    public var items: [Item]
    /// Objects in the store that the file does not mention. They are kept:
    /// nothing is deleted by omission.
    public var notInFile: [CatalogObjectKey]

    /// Makes a plan; normally made by ``CatalogPlanner``.
    public init(items: [Item], notInFile: [CatalogObjectKey] = []) {
        self.items = items
        self.notInFile = notInFile
    }

    /// Whether applying the plan writes anything.
    public var hasChanges: Bool { items.contains { $0.action != .unchanged } }

    /// How many items will be created, versioned, updated, or left unchanged.
    public var counts: (create: Int, newVersion: Int, update: Int, unchanged: Int) {
        var counts = (create: 0, newVersion: 0, update: 0, unchanged: 0)
        for item in items {
            switch item.action {
            case .create: counts.create += 1
            case .newVersion: counts.newVersion += 1
            case .update: counts.update += 1
            case .unchanged: counts.unchanged += 1
            }
        }
        return counts
    }

    /// The plan as printed by `fsctl apply`: one headline per object, its
    /// change lines indented by two spaces, and a summary line. With
    /// `showKept`, objects of the store absent from the file are listed as
    /// `table x: not in file, kept`. Every line, the last included, ends
    /// with a newline.
    public func render(showKept: Bool = false) -> String {
        var lines: [String] = []
        for item in items {
            lines.append(item.headline)
            lines += item.changes.map { "  \($0)" }
        }
        if showKept {
            lines += notInFile.map { "\($0.kind.rawValue) \($0.name): not in file, kept" }
        }
        let c = counts
        lines.append("Plan: \(c.create) to create, \(c.newVersion) new version\(c.newVersion == 1 ? "" : "s"), "
                     + "\(c.update) to update, \(c.unchanged) unchanged.")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// One catalog record that applying a plan creates or replaces: what the
/// persistence code writes.
public enum CatalogChange: Hashable, Sendable {
    /// A new or updated entity.
    case entity(EntityDefinition)
    /// A new table version (version 1 of a new table, or N+1).
    case tableVersion(FeatureTableVersion)
    /// A new or updated feature service.
    case service(FeatureServiceDefinition)
}

/// The outcome of ``ApplyPlan/apply(to:nextTableId:nowMicros:)``.
public struct AppliedCatalog: Sendable, Equatable {
    /// The catalog after the apply.
    public var snapshot: CatalogSnapshot
    /// The records to write, in plan order. Empty when nothing changed.
    public var changes: [CatalogChange]
    /// The next free table id after the new tables took theirs.
    public var nextTableId: UInt32
}

extension ApplyPlan {
    /// Applies the plan to `snapshot`, which must be the catalog the plan was
    /// made from (plan and apply in the same write transaction). New tables
    /// take ids `nextTableId`, `nextTableId + 1`, … in plan order (by name);
    /// new table versions are stamped `nowMicros`.
    public func apply(to snapshot: CatalogSnapshot, nextTableId: UInt32, nowMicros: Int64) -> AppliedCatalog {
        var snapshot = snapshot
        var changes: [CatalogChange] = []
        var nextId = nextTableId
        for item in items {
            switch (item.object, item.action) {
            case (_, .unchanged):
                continue
            case (.entity(let entity), _):
                snapshot.entities[entity.name] = entity
                changes.append(.entity(entity))
            case (.service(let service), _):
                snapshot.services[service.name] = service
                changes.append(.service(service))
            case (.table(let table), let action):
                let number: Int
                let tableId: UInt32
                if case .newVersion(_, let to, _) = action,
                   let id = item.tableId ?? snapshot.currentVersion(of: table.name)?.tableId {
                    number = to
                    tableId = id
                } else {
                    number = 1
                    tableId = nextId
                    nextId += 1
                }
                let version = FeatureTableVersion(tableId: tableId, version: number, definition: table,
                                                  createdAtMicros: nowMicros)
                snapshot.tables[table.name, default: []].append(version)
                changes.append(.tableVersion(version))
            }
        }
        return AppliedCatalog(snapshot: snapshot, changes: changes, nextTableId: nextId)
    }
}
