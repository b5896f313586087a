import FeatureStore
import LMDB

/// What ``ModelRegistry/check()`` found: counts and problems.
public struct RegistryCheckReport: Sendable, Equatable {
    /// Models.
    public var models = 0
    /// Model versions.
    public var versions = 0
    /// Aliases.
    public var aliases = 0
    /// Stored artifacts (distinct contents).
    public var artifacts = 0
    /// Stored artifact chunks.
    public var chunks = 0
    /// Everything found wrong, one sentence each.
    public var problems: [String] = []

    /// `models: 2 (5 versions, 1 alias, 3 artifacts in 4 chunks)`.
    public var line: String {
        func n(_ k: Int, _ w: String) -> String { "\(k) \(w)\(k == 1 ? "" : (w.hasSuffix("s") ? "es" : "s"))" }
        return "models: \(models) (\(n(versions, "version")), \(n(aliases, "alias")), "
            + "\(n(artifacts, "artifact")) in \(n(chunks, "chunk")))"
    }
}

extension ModelRegistry {
    /// Checks the registry in one read transaction: every record decodes;
    /// versions are below their model's counter; aliases point at existing
    /// versions; every version's artifact exists with the reference count its
    /// versions add up to; every chunk is present with its length and SHA-256;
    /// no chunk belongs to no artifact.
    public func check() throws -> RegistryCheckReport {
        var report = RegistryCheckReport()
        guard let db else { return report }
        try store.environment.read { txn in
            var references: [String: Int] = [:]
            for model in try allModels(db, txn) {
                report.models += 1
                let versions = try scanModel(model.name, db.versions, ModelVersion.self, txn)
                report.versions += versions.count
                for v in versions {
                    references[v.sha256, default: 0] += 1
                    if v.version >= model.nextVersion {
                        report.problems.append("model version \(v.ref) is not below the model's next version \(model.nextVersion)")
                    }
                }
                let numbers = Set(versions.map(\.version))
                for a in try scanModel(model.name, db.aliases, ModelAlias.self, txn) {
                    report.aliases += 1
                    for n in a.versions where !numbers.contains(n) {
                        report.problems.append("alias \(model.name)@\(a.alias) points at version \(n), which does not exist")
                    }
                }
                for m in try scanModel(model.name, db.history, AliasMove.self, txn) where m.sequence >= model.nextHistorySequence {
                    report.problems.append("model '\(model.name)': history entry \(m.sequence) is not below the next sequence \(model.nextHistorySequence)")
                }
            }
            var stored: [String: ArtifactRecord] = [:]
            try txn.withCursor(db.artifactRefs) { c in
                var more = try c.first()
                while more {
                    let r = try Self.decode(ArtifactRecord.self, c.value, what: "artifact \(FileHash.hex(Array(c.key)))")
                    stored[r.sha256] = r
                    more = try c.next()
                }
            }
            report.artifacts = stored.count
            for (sha, count) in references.sorted(by: { $0.key < $1.key }) {
                guard let r = stored[sha] else {
                    report.problems.append("artifact \(sha) is referenced by \(count) version(s) but not stored")
                    continue
                }
                if r.references != count {
                    report.problems.append("artifact \(sha) counts \(r.references) reference(s), versions hold \(count)")
                }
            }
            for sha in stored.keys.sorted() where references[sha] == nil {
                report.problems.append("artifact \(sha) is stored but no version references it")
            }
            // Every chunk: known, present, the right length and hash.
            try txn.withCursor(db.artifacts) { c in
                var more = try c.first()
                while more {
                    report.chunks += 1
                    let key = Array(c.key)
                    let sha = FileHash.hex(Array(key.prefix(32)))
                    let index = key.count == 36 ? key[32...].reduce(0) { $0 << 8 | Int($1) } : -1
                    if let r = stored[sha], index >= 0, index < r.chunks {
                        let expectedLength = min(r.chunkSize, r.size - index * r.chunkSize)
                        if c.value.count != expectedLength {
                            report.problems.append("artifact \(sha): chunk \(index) has \(c.value.count) bytes, expected \(expectedLength)")
                        } else if Self.sha256(c.value).hex != r.chunkSHA256[index] {
                            report.problems.append("artifact \(sha): chunk \(index) does not match its SHA-256")
                        }
                    } else {
                        report.problems.append("artifact chunk \(sha)/\(index) belongs to no stored artifact")
                    }
                    more = try c.next()
                }
            }
            for (sha, r) in stored.sorted(by: { $0.key < $1.key }) {
                guard let raw = FileHash.unhex(sha) else { continue }
                for i in 0..<r.chunks where try txn.withValue(forKey: RegistryKeys.chunk(raw, i), in: db.artifacts, { $0 == nil }) {
                    report.problems.append("artifact \(sha): chunk \(i) of \(r.chunks) is missing")
                }
            }
        }
        return report
    }
}

extension ModelRegistry {
    /// Entries and bytes of each of the registry's databases (`fsctl stats`);
    /// empty for a read-only store that never had a model.
    public func databaseSizes() throws -> [(name: String, entries: Int, bytes: Int)] {
        guard let db else { return [] }
        let all = [db.models, db.versions, db.aliases, db.history, db.artifacts, db.artifactRefs]
        return try store.environment.read { txn in
            try all.map { d in
                let s = try txn.stat(d)
                return (d.name, s.entries, s.bytes)
            }
        }
    }
}
