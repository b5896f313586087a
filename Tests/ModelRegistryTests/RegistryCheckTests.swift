import FeatureStore
import Foundation
import LMDB
import ModelRegistry
import Testing

/// `ModelRegistry.check()` (part of `fsctl check`): healthy after every kind
/// of change, and each kind of damage named.
@Suite struct RegistryCheckTests {
    @Test func healthyAfterRegisterAliasAndDelete() throws {
        let t = try TestRegistry(chunkSize: 500)
        try t.register(); try t.register(); try t.register("fraud", file: "lgb_binary.txt", format: .lightgbmText)
        try t.registry.setAlias("churn", "production", version: 1, canary: [CanarySplit(version: 2, percent: 5)])
        try t.registry.setAlias("churn", "production", version: 1)
        _ = try t.registry.delete(ModelRef(parsing: "churn/2"))
        let report = try t.registry.check()
        #expect(report.problems == [])
        #expect(report.models == 2 && report.versions == 2 && report.aliases == 1 && report.artifacts == 2)
        #expect(report.line == "models: 2 (2 versions, 1 alias, 2 artifacts in \(report.chunks) chunks)")
    }

    @Test func damageIsNamed() throws {
        let t = try TestRegistry(chunkSize: 1000)
        let v = try t.register()
        try ArtifactTests.damage(t, v, chunk: 0) { bytes in var b = bytes; b[0] ^= 1; return b }
        try ArtifactTests.damage(t, v, chunk: 2) { _ in nil }
        let artifacts = try t.store.environment.openDatabase("artifacts")
        let aliases = try t.store.environment.openDatabase("model_aliases")
        try t.store.environment.write { txn in
            // A stray chunk, and an alias to a version that does not exist.
            try txn.put([UInt8](repeating: 7, count: 32) + [0, 0, 0, 0], [1, 2, 3], in: artifacts)
            let alias = #"{"alias":"ghost","canary":[],"model":"churn","setAtMicros":0,"setBy":"x","version":9}"#
            try txn.put(Array("churn".utf8) + [0] + Array("ghost".utf8), Array(alias.utf8), in: aliases)
        }
        // Chunks are checked in key order: the stray one (07…) sorts before this artifact's.
        #expect(v.sha256 > String(repeating: "07", count: 32))
        #expect(try t.registry.check().problems == [
            "alias churn@ghost points at version 9, which does not exist",
            "artifact chunk \(String(repeating: "07", count: 32))/0 belongs to no stored artifact",
            "artifact \(v.sha256): chunk 0 does not match its SHA-256",
            "artifact \(v.sha256): chunk 2 of 3 is missing",
        ])
    }
}
