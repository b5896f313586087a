import LMDB
import Testing

/// Every record of every database of a store, raw: the "nothing half-written"
/// check of the bad-input tests compares it before and after a refused command
/// (stronger than ``Sandbox/snapshot()``, which compares what fsctl prints).
enum StoreDump {
    /// The named databases a store may hold (Store.swift, ModelRegistry,
    /// TokenBook, the drift results); a missing one dumps as absent.
    static let databases = [
        "meta", "catalog", "events", "online", "batches", "sources", "watermarks", "training_sets",
        "lineage", "lineage_in", "feature_stats", "tokens", "drift_results",
        "models", "model_versions", "model_aliases", "model_alias_history", "artifacts", "artifact_refs",
    ]

    /// `name: count` then `key → value` in hex, per database, in key order.
    /// An empty database and an absent one dump alike (nothing): a command
    /// that opens a store for writing may create the empty databases of a
    /// newer format version, which is not content.
    static func dump(_ path: String) throws -> String {
        var options = Environment.Options()
        options.readOnly = true
        let env = try Environment(path: path, options: options)
        var text = ""
        for name in databases {
            let db: Database
            do { db = try env.openDatabase(name, create: false) } catch let e as LMDBError where e.code == .notFound {
                continue
            }
            try env.read { txn in
                try txn.withCursor(db) { c in
                    var lines: [String] = []
                    var more = try c.first()
                    while more {
                        lines.append(hex(Array(c.key)) + " -> " + hex(Array(c.value)))
                        more = try c.next()
                    }
                    if !lines.isEmpty { text += "\(name): \(lines.count)\n" + lines.joined(separator: "\n") + "\n" }
                }
            }
        }
        return text
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var s = ""
        s.reserveCapacity(bytes.count * 2)
        for b in bytes { s.append(digits[Int(b >> 4)]); s.append(digits[Int(b & 15)]) }
        return s
    }
}

extension Sandbox {
    /// Every record of the store (``StoreDump``).
    func dump() throws -> String { try StoreDump.dump(store) }

    /// Runs each case (arguments, exit code, the whole `error: …` message) and
    /// checks the store's records are byte-identical afterwards: a refused
    /// command leaves nothing half-written. Returns nothing; failures are
    /// recorded per case.
    func refuses(_ cases: [(args: [String], code: Int32, error: String)],
                 sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try dump()
        for c in cases {
            let r = try run(c.args)
            #expect(r.code == c.code, "fsctl \(c.args.joined(separator: " ")): \(r)", sourceLocation: sourceLocation)
            #expect(r.stderr == "error: \(c.error)\n", "fsctl \(c.args.joined(separator: " "))", sourceLocation: sourceLocation)
            #expect(r.stdout == "", "fsctl \(c.args.joined(separator: " "))", sourceLocation: sourceLocation)
        }
        #expect(try dump() == before, "the store changed", sourceLocation: sourceLocation)
    }
}
