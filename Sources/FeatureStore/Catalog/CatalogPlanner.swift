/// Compares a definitions file with the stored catalog and decides what
/// `fsctl apply` does (SPEC 2 and 3):
///
/// - Idempotent: an object declared exactly as stored is `unchanged`.
/// - Nothing is deleted by omission: stored objects absent from the file are
///   kept, and listed in ``ApplyPlan/notInFile``.
/// - Entities: new → create; description or tags changed → update. Join keys
///   changed → refused while a stored table uses the entity (its key encoding
///   depends on them).
/// - Tables: new → create (version 1); a compatible change (a new feature, a
///   feature's description, tags or expectation, the table's description,
///   tags, TTL, timestamp field names, the order of features) → version N+1;
///   a breaking change (a feature removed or retyped) → refused, or version
///   N+1 with `allowBreaking`; changed entities → always refused.
/// - Services: new → create; changed → update (services are not versioned).
///
/// It also checks what needs both the file and the store: a table's entities
/// exist, the column names of a table using a stored entity do not collide,
/// and every feature service resolves in the catalog as it will be after the
/// apply (including services the file does not mention).
///
/// ```swift
/// let definitions = try DefinitionsParser.parse(yaml: text, file: "features.yaml")
/// let plan = try CatalogPlanner.plan(current: snapshot, desired: definitions, allowBreaking: false)
/// print(plan.render())
/// ```
public enum CatalogPlanner {
    /// Plans applying `desired` to `current`; see the type's documentation.
    /// Throws the first problem found, located at the object's declaration.
    public static func plan(current: CatalogSnapshot, desired: Definitions,
                            allowBreaking: Bool) throws(CatalogError) -> ApplyPlan {
        try rejectDuplicates(desired)
        var items: [ApplyPlan.Item] = []
        for entity in desired.entities.sorted(by: { $0.name < $1.name }) {
            items.append(try planEntity(entity, current: current, desired: desired))
        }
        for table in desired.featureTables.sorted(by: { $0.name < $1.name }) {
            items.append(try planTable(table, current: current, desired: desired, allowBreaking: allowBreaking))
        }
        for service in desired.featureServices.sorted(by: { $0.name < $1.name }) {
            items.append(planService(service, current: current, desired: desired))
        }
        let inFile = Set(items.map(\.key))
        var notInFile: [CatalogObjectKey] = []
        notInFile += current.entities.keys.sorted().map { CatalogObjectKey(.entity, $0) }
        notInFile += current.tables.keys.sorted().map { CatalogObjectKey(.table, $0) }
        notInFile += current.services.keys.sorted().map { CatalogObjectKey(.service, $0) }
        let plan = ApplyPlan(items: items, notInFile: notInFile.filter { !inFile.contains($0) })
        try checkServicesResolve(after: plan, current: current, desired: desired)
        return plan
    }

    // MARK: Entities

    static func planEntity(_ entity: EntityDefinition, current: CatalogSnapshot,
                           desired: Definitions) throws(CatalogError) -> ApplyPlan.Item {
        let location = desired.locations[CatalogObjectKey(.entity, entity.name)]
        guard let stored = current.entities[entity.name] else {
            return ApplyPlan.Item(object: .entity(entity), action: .create, location: location)
        }
        guard stored != entity else {
            return ApplyPlan.Item(object: .entity(entity), action: .unchanged, location: location)
        }
        var changes: [ApplyPlan.Change] = []
        if stored.joinKeys != entity.joinKeys {
            let users = current.tables.keys.sorted().filter {
                current.currentVersion(of: $0)?.definition.entities.contains(entity.name) == true
            }
            let was = Diff.joinKeys(stored.joinKeys), now = Diff.joinKeys(entity.joinKeys)
            if !users.isEmpty {
                let commands = users.map { "fsctl delete table \($0)" }.joined(separator: ", ")
                throw CatalogError(at: location, object: "entity '\(entity.name)'",
                                   "join keys cannot change (\(was) → \(now)): the keys of every event and online "
                                   + "row of \(users.count == 1 ? "table" : "tables") "
                                   + users.map { "'\($0)'" }.joined(separator: ", ")
                                   + " are encoded from them; delete \(users.count == 1 ? "it" : "them") first "
                                   + "(\(commands)) or declare a new entity")
            }
            changes.append(.init(.modified, "join keys: \(was) → \(now)"))
        }
        changes += Diff.text("description", stored.description, entity.description)
        changes += Diff.tags("tags", stored.tags, entity.tags)
        return ApplyPlan.Item(object: .entity(entity), action: .update, changes: changes, location: location)
    }

    // MARK: Tables

    static func planTable(_ table: FeatureTableDefinition, current: CatalogSnapshot, desired: Definitions,
                          allowBreaking: Bool) throws(CatalogError) -> ApplyPlan.Item {
        let location = desired.locations[CatalogObjectKey(.table, table.name)]
        let object = "feature table '\(table.name)'"
        // Entities must exist in the file or the store; the file's declaration wins.
        var entities: [EntityDefinition] = []
        for name in table.entities {
            guard let entity = desired.entities.first(where: { $0.name == name }) ?? current.entities[name] else {
                let known = Set(desired.entities.map(\.name)).union(current.entities.keys).sorted()
                throw CatalogError(at: location, object: object,
                                   "unknown entity '\(name)'\(Suggestion.hint(for: name, among: known)); "
                                   + "declare it under 'entities'")
            }
            entities.append(entity)
        }
        try TableColumns.check(table, entities: entities) { _ in location }

        guard let stored = current.currentVersion(of: table.name) else {
            return ApplyPlan.Item(object: .table(table), action: .create, location: location)
        }
        guard stored.definition != table else {
            return ApplyPlan.Item(object: .table(table), action: .unchanged, location: location,
                                  tableId: stored.tableId)
        }
        if stored.definition.entities != table.entities {
            throw CatalogError(at: location, object: object,
                               "entities cannot change ([\(stored.definition.entities.joined(separator: ", "))] → "
                               + "[\(table.entities.joined(separator: ", "))]), even with --allow-breaking: "
                               + "the table's keys are made of their join keys; delete the table first "
                               + "(fsctl delete table \(table.name)) or declare a new table")
        }
        let changes = Diff.table(from: stored.definition, to: table)
        let breaking = changes.filter(\.isBreaking)
        if !breaking.isEmpty && !allowBreaking {
            let list = breaking.map { "\n  \($0.kind.rawValue) \($0.text)" }.joined()
            throw CatalogError(at: location, object: object,
                               "breaking \(breaking.count == 1 ? "change" : "changes") refused; apply with "
                               + "--allow-breaking to make version \(stored.version + 1) anyway "
                               + "(events of older versions stay readable under their own schema):\(list)")
        }
        return ApplyPlan.Item(object: .table(table),
                              action: .newVersion(from: stored.version, to: stored.version + 1,
                                                  breaking: !breaking.isEmpty),
                              changes: changes, location: location, tableId: stored.tableId)
    }

    // MARK: Services

    static func planService(_ service: FeatureServiceDefinition, current: CatalogSnapshot,
                            desired: Definitions) -> ApplyPlan.Item {
        let location = desired.locations[CatalogObjectKey(.service, service.name)]
        guard let stored = current.services[service.name] else {
            return ApplyPlan.Item(object: .service(service), action: .create, location: location)
        }
        guard stored != service else {
            return ApplyPlan.Item(object: .service(service), action: .unchanged, location: location)
        }
        var changes = Diff.list(stored.features, service.features, what: "feature order")
        changes += Diff.text("description", stored.description, service.description)
        changes += Diff.tags("tags", stored.tags, service.tags)
        return ApplyPlan.Item(object: .service(service), action: .update, changes: changes, location: location)
    }

    /// Every service of the catalog after the apply must resolve: the file's
    /// (errors point at their declaration) and the stored ones the file does
    /// not mention (a breaking change may remove a feature they use).
    static func checkServicesResolve(after plan: ApplyPlan, current: CatalogSnapshot,
                                     desired: Definitions) throws(CatalogError) {
        let maxId = current.tables.values.joined().map(\.tableId).max()
        let after = plan.apply(to: current, nextTableId: maxId.map { $0 &+ 1 } ?? 1, nowMicros: 0).snapshot
        for name in after.services.keys.sorted() {
            do {
                _ = try after.resolve(service: name)
            } catch {
                let key = CatalogObjectKey(.service, name)
                let detail = (error.object.map { "\($0): " } ?? "") + error.message
                if desired.featureServices.contains(where: { $0.name == name }) {
                    throw CatalogError(at: desired.locations[key], object: "feature service '\(name)'", detail)
                }
                throw CatalogError(object: "feature service '\(name)'",
                                   "stored service would no longer resolve after this apply (\(detail)); "
                                   + "declare it in the file with refs that resolve")
            }
        }
    }

    /// Definitions built by hand (not by the parser) may repeat a name.
    static func rejectDuplicates(_ desired: Definitions) throws(CatalogError) {
        var seen = Set<CatalogObjectKey>()
        let keys = desired.entities.map { CatalogObjectKey(.entity, $0.name) }
            + desired.featureTables.map { CatalogObjectKey(.table, $0.name) }
            + desired.featureServices.map { CatalogObjectKey(.service, $0.name) }
        for key in keys where !seen.insert(key).inserted {
            throw CatalogError(at: desired.locations[key], object: "\(key.kind.noun) '\(key.name)'", "declared twice")
        }
    }
}
