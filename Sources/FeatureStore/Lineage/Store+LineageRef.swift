import LMDB
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Reading a user's REF (`fsctl lineage REF`) as a lineage node.
extension Store {
    /// What a REF may be, for error messages.
    static let lineageRefForms = "a table (user_stats), a table version (user_stats@2), a feature (user_stats:age), "
        + "a training set (ts-…), a model (churn), a model version (churn/3), an alias (churn@production), "
        + "a batch (batch:17), an online table (online:user_stats) or a file path"

    /// The node `ref` names:
    ///
    /// | ref | node |
    /// | --- | --- |
    /// | `user_stats` | table (else a model of that name) |
    /// | `user_stats@2` | table version (a number after `@` on a table) |
    /// | `user_stats:age`, `user_stats@2:age` | feature |
    /// | `ts-3f9a0c1d2e4b5a69`, or a unique prefix of it | training set |
    /// | `churn/3` | model version |
    /// | `churn@production` | alias |
    /// | `batch:17` | batch |
    /// | `KIND:NAME` (`online:user_stats`, `file:<sha256>`, …) | that node, for any kind |
    /// | a path to an existing file | by its SHA-256: the file (ingested), the entity file (exported from) or the training set whose output it is |
    /// | 64 hex digits | the file or entity file with that SHA-256 |
    ///
    /// Unknown refs throw `notFound` with a "did you mean" hint.
    ///
    /// ```swift
    /// let node = try store.lineageNode(for: "churn@production")   // alias churn@production
    /// ```
    public func lineageNode(for ref: String) throws -> LineageNode {
        guard !ref.isEmpty else { throw FeatureStoreError.invalid("lineage: empty ref; expected \(Self.lineageRefForms)") }
        let catalog = try catalog()
        return try environment.read { txn in try resolveLineageRef(ref, catalog: catalog, txn) }
    }

    private func resolveLineageRef(_ ref: String, catalog: CatalogSnapshot, _ txn: borrowing Transaction) throws -> LineageNode {
        // A path with a directory in it names a file, whatever else is in it (a ':' or '@').
        if ref.contains("/"), FileSystem.isRegularFile(ref),
           !(try lineageNodeExists(LineageNode(kind: .modelVersion, name: ref), txn)) {
            return try fileNode(sha256: try FileHash.sha256(ref), described: "\(ref) (SHA-256 ", txn)
        }
        // KIND:NAME — unless KIND is also a table's name (then it is a feature ref).
        if let colon = ref.firstIndex(of: ":") {
            let head = String(ref[..<colon]), tail = String(ref[ref.index(after: colon)...])
            if let kind = LineageNode.Kind(rawValue: head), !(try isLineageTable(head, catalog, txn)) {
                let node = kind == .batch ? LineageNode.batch(UInt64(tail) ?? 0) : LineageNode(kind: kind, name: tail)
                if kind == .batch, UInt64(tail) == nil {
                    throw FeatureStoreError.invalid("lineage: batch '\(tail)': expected a batch id, as in batch:17")
                }
                if try lineageNodeExists(node, txn) || (kind == .trainingSet && txn.get(Array(tail.utf8), in: db.trainingSets) != nil) {
                    return node
                }
                throw unknownRef(ref, what: "\(kind.rawValue) '\(tail)'", candidates: try lineageNames(kind, txn).map { "\(head):\($0)" })
            }
            return try featureNode(ref, catalog: catalog, txn)
        }
        if ref.hasPrefix("ts-") {
            let node = LineageNode.trainingSet(ref)
            if try lineageNodeExists(node, txn) || txn.get(Array(ref.utf8), in: db.trainingSets) != nil { return node }
            var ids = try lineageNames(.trainingSet, txn)
            try txn.withCursor(db.trainingSets) { c in
                var more = try c.first()
                while more { ids.append(String(decoding: c.key, as: UTF8.self)); more = try c.next() }
            }
            // A unique prefix names its training set, as in `fsctl describe`.
            let matching = Set(ids.filter { $0.hasPrefix(ref) })
            if matching.count == 1 { return .trainingSet(matching.first!) }
            if matching.count > 1 {
                throw FeatureStoreError.invalid("lineage: '\(ref)' is the start of \(matching.count) training sets ("
                    + matching.sorted().joined(separator: ", ") + "); give more of the id")
            }
            throw unknownRef(ref, what: "training set '\(ref)'", candidates: ids)
        }
        if let at = ref.lastIndex(of: "@") {
            let head = String(ref[..<at]), tail = String(ref[ref.index(after: at)...])
            if try isLineageTable(head, catalog, txn) {
                guard let version = Int(tail), version > 0 else {
                    throw FeatureStoreError.invalid("lineage: '\(ref)': a table version is a number, as in \(head)@1")
                }
                let node = LineageNode.tableVersion(head, version)
                if try catalog.version(version, of: head) != nil || lineageNodeExists(node, txn) { return node }
                let known = (catalog.tables[head] ?? []).map { "\(head)@\($0.version)" }
                throw FeatureStoreError.notFound("lineage: table '\(head)' has no version \(version)"
                    + (known.isEmpty ? "" : " (it has \(known.joined(separator: ", ")))"))
            }
            let node = LineageNode(kind: .alias, name: ref)
            if try lineageNodeExists(node, txn) { return node }
            throw unknownRef(ref, what: "alias '\(ref)'", candidates: (try lineageNames(.alias, txn)) + Array(catalog.tables.keys))
        }
        if let slash = ref.lastIndex(of: "/"), Int(ref[ref.index(after: slash)...]) != nil {
            let node = LineageNode(kind: .modelVersion, name: ref)
            if try lineageNodeExists(node, txn) { return node }
            if !FileSystem.isRegularFile(ref) {
                throw unknownRef(ref, what: "model version '\(ref)'", candidates: try lineageNames(.modelVersion, txn))
            }
        }
        if !ref.contains("/"), try isLineageTable(ref, catalog, txn) { return .table(ref) }
        if !ref.contains("/"), try lineageNodeExists(.model(ref), txn) { return .model(ref) }
        if FileSystem.isRegularFile(ref) {
            return try fileNode(sha256: try FileHash.sha256(ref), described: "\(ref) (SHA-256 ", txn)
        }
        if ref.count == 64, FileHash.unhex(ref) != nil {
            return try fileNode(sha256: ref.lowercased(), described: "\(ref) (", txn)
        }
        var candidates = Array(catalog.tables.keys)
        for kind in [LineageNode.Kind.model, .modelVersion, .alias, .trainingSet] {
            candidates += try lineageNames(kind, txn)
        }
        throw unknownRef(ref, what: "'\(ref)'", candidates: candidates)
    }

    private func isLineageTable(_ name: String, _ catalog: CatalogSnapshot, _ txn: borrowing Transaction) throws -> Bool {
        try catalog.tables[name] != nil || lineageNodeExists(.table(name), txn)
    }

    /// `table:feature` or `table@N:feature` → the feature node, checked against the catalog.
    private func featureNode(_ ref: String, catalog: CatalogSnapshot, _ txn: borrowing Transaction) throws -> LineageNode {
        let parsed: FeatureRef
        do { parsed = try FeatureRef(parsing: ref) } catch {
            throw FeatureStoreError.invalid("lineage: \(error)")
        }
        guard case .feature(let feature) = parsed.selection else {
            throw FeatureStoreError.invalid("lineage: '\(ref)': name one feature (table:feature), not '*'")
        }
        let node = LineageNode.feature(table: parsed.table, feature: feature)
        if try lineageNodeExists(node, txn) { return node }
        guard let versions = catalog.tables[parsed.table] else {
            throw unknownRef(ref, what: "feature table '\(parsed.table)'", candidates: Array(catalog.tables.keys),
                             word: parsed.table)
        }
        let names = Set(versions.flatMap { $0.definition.features.map(\.name) })
        if names.contains(feature) { return node }
        throw unknownRef(ref, what: "feature '\(feature)' in table '\(parsed.table)'", candidates: Array(names), word: feature)
    }

    /// The file or entity-file node of a file's hash.
    private func fileNode(sha256: String, described: String, _ txn: borrowing Transaction) throws -> LineageNode {
        for node in [LineageNode.file(sha256: sha256), .entityFile(sha256: sha256)] where try lineageNodeExists(node, txn) {
            return node
        }
        // The output file of an export: its training set.
        let decoder = JSONDecoder()
        let produced: String? = try txn.withCursor(db.trainingSets) { c in
            var more = try c.first()
            while more {
                if let r = try? decoder.decode(TrainingSetRecord.self, from: Data(c.value)), r.outputSHA256 == sha256 {
                    return r.id
                }
                more = try c.next()
            }
            return nil
        }
        if let produced { return .trainingSet(produced) }
        throw FeatureStoreError.notFound(
            "lineage: \(described)\(sha256.prefix(12))…) was never ingested, used as an entity file or exported in this store")
    }

    private func unknownRef(_ ref: String, what: String, candidates: [String], word: String? = nil) -> FeatureStoreError {
        FeatureStoreError.notFound("lineage: no \(what)" + Suggestion.hint(for: word ?? ref, among: candidates)
            + (word == nil ? "; a ref is \(Self.lineageRefForms)" : ""))
    }

    /// True when an edge starts or ends at `node`.
    func lineageNodeExists(_ node: LineageNode, _ txn: borrowing Transaction) throws -> Bool {
        guard let forward = db.lineage, let reverse = db.lineageReverse else { return false }
        let prefix = LineageKey.prefix(node)
        for database in [forward, reverse] {
            let found = try txn.withCursor(database) { c in try c.seek(atLeast: prefix) && c.key.starts(with: prefix) }
            if found { return true }
        }
        return false
    }

    /// The names of every node of `kind` in the graph (for suggestions; scans the reverse index).
    private func lineageNames(_ kind: LineageNode.Kind, _ txn: borrowing Transaction) throws -> [String] {
        guard let forward = db.lineage, let reverse = db.lineageReverse else { return [] }
        var names = Set<String>()
        for database in [forward, reverse] {
            try txn.withCursor(database) { c in
                let start: [UInt8] = [LineageKey.formatVersion, kind.code]
                var more = try c.seek(atLeast: start)
                while more, c.key.starts(with: start) {
                    if let (node, _, _) = LineageKey.decodeKey(c.key) { names.insert(node.name) }
                    more = try c.next()
                }
            }
        }
        return names.sorted()
    }
}

extension FileSystem {
    /// True when `path` names a regular file (following symlinks).
    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }
}
