import Crypto
import FeatureStore
import Foundation
import LMDB
import ModelRegistry
import Testing

/// Content-addressed, chunked, deduplicated artifacts: verified on every
/// read, removed with the last version that references them.
@Suite struct ArtifactTests {
    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    static func sha(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }
    static func fixtureBytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: TestRegistry.fixture(name))))
    }

    /// Entries in one of the registry's databases.
    static func count(_ t: TestRegistry, _ name: String) throws -> Int {
        let db = try t.store.environment.openDatabase(name)
        return try t.store.environment.read { txn in try txn.stat(db).entries }
    }

    @Test func sameBytesAreStoredOnceAcrossVersionsAndModels() throws {
        let t = try TestRegistry(chunkSize: 1000)
        let bytes = try Self.fixtureBytes("xgb_binary.json")
        let chunks = (bytes.count + 999) / 1000
        let v1 = try t.register("churn")
        let v2 = try t.register("churn")
        let other = try t.register("fraud")
        #expect(v1.sha256 == Self.sha(bytes))
        #expect(v2.sha256 == v1.sha256 && other.sha256 == v1.sha256)
        let record = try #require(try t.registry.artifactRecord(of: v1))
        #expect(record.references == 3)
        #expect(record.chunks == chunks && record.size == bytes.count && record.chunkSize == 1000)
        #expect(try Self.count(t, "artifacts") == chunks)
        #expect(try Self.count(t, "artifact_refs") == 1)

        // A different artifact adds its own chunks.
        let lgb = try t.register("churn", file: "lgb_binary.txt", format: .lightgbmText)
        let lgbChunks = (try Self.fixtureBytes("lgb_binary.txt").count + 999) / 1000
        #expect(try Self.count(t, "artifacts") == chunks + lgbChunks)

        // Deleting versions drops references; the last one removes the artifact.
        #expect(try t.registry.delete(ModelRef(parsing: "churn/1")).artifactRemoved == false)
        #expect(try t.registry.artifactRecord(of: v1)?.references == 2)
        #expect(try t.registry.delete(ModelRef(parsing: "fraud/1")).artifactRemoved == false)
        #expect(try t.registry.delete(ModelRef(parsing: "churn/2")).artifactRemoved == true)
        #expect(try t.registry.artifactRecord(of: v1) == nil)
        #expect(try Self.count(t, "artifacts") == lgbChunks)
        #expect(try Self.count(t, "artifact_refs") == 1)
        #expect(try t.registry.delete(ModelRef(parsing: "churn/\(lgb.version)")).artifactRemoved == true)
        #expect(try Self.count(t, "artifacts") == 0)
        #expect(try Self.count(t, "artifact_refs") == 0)
    }

    @Test func chunkedArtifactsReadBackByteForByte() throws {
        for chunkSize in [1, 7, 64, 2811, 2812, 1 << 20] {
            let t = try TestRegistry(chunkSize: chunkSize)
            let v = try t.register()
            let bytes = try Self.fixtureBytes("xgb_binary.json")
            #expect(try t.registry.artifactRecord(of: v)?.chunks == (bytes.count + chunkSize - 1) / chunkSize)
            #expect(try t.registry.artifact(ModelRef(parsing: "churn/1")).bytes == bytes, "chunk size \(chunkSize)")
            let out = t.dir + "/out.json"
            #expect(try t.registry.download(ModelRef(parsing: "churn"), to: out) == v)
            #expect(Array(try Data(contentsOf: URL(fileURLWithPath: out))) == bytes)
        }
    }

    /// Overwrites chunk `index` of the artifact through the LMDB API.
    static func damage(_ t: TestRegistry, _ v: ModelVersion, chunk index: UInt32, _ change: ([UInt8]) -> [UInt8]?) throws {
        let db = try t.store.environment.openDatabase("artifacts")
        var key = Array(try #require(Data(hexString: v.sha256)))
        key += [UInt8(index >> 24), UInt8(index >> 16 & 255), UInt8(index >> 8 & 255), UInt8(index & 255)]
        try t.store.environment.write { txn in
            let old = try #require(try txn.get(key, in: db))
            if let new = change(old) { try txn.put(key, new, in: db) } else { try txn.delete(key, in: db) }
        }
    }

    @Test func aCorruptedChunkIsDetectedOnEveryRead() throws {
        let t = try TestRegistry(chunkSize: 256)
        let v = try t.register()
        let chunks = (v.size + 255) / 256
        let original = try Self.fixtureBytes("xgb_binary.json")
        var flipped = Array(original[768..<1024])
        flipped[10] ^= 0x20
        try Self.damage(t, v, chunk: 3) { _ in flipped }
        let expected = "artifact of churn/1 (sha256 \(v.sha256)) is damaged: chunk 3 of \(chunks) hashes to "
            + "\(Self.sha(flipped)), expected \(Self.sha(Array(original[768..<1024]))); the store's copy cannot be "
            + "trusted (restore the store from a backup, or register the file again)"
        let out = t.dir + "/out.json"
        #expect(thrownMessage { try t.registry.download(ModelRef(parsing: "churn/1"), to: out) } == expected)
        #expect(!FileManager.default.fileExists(atPath: out), "a damaged artifact leaves no file")
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: t.dir)).contains { $0.hasPrefix("out.json") })
        #expect(thrownMessage { _ = try t.registry.artifact(ModelRef(parsing: "churn")) } == expected)
        do {
            _ = try t.registry.artifact(ModelRef(parsing: "churn"))
        } catch let e as FeatureStoreError {
            #expect(e.kind == .corrupt)
        }
    }

    @Test func aTruncatedOrMissingChunkIsNamed() throws {
        let t = try TestRegistry(chunkSize: 1000)
        let v = try t.register()
        try Self.damage(t, v, chunk: 1) { Array($0.dropLast()) }
        #expect(thrownMessage { _ = try t.registry.artifact(ModelRef(parsing: "churn/1")) }
                == "artifact of churn/1 (sha256 \(v.sha256)) is damaged: chunk 1 of 3 has 999 bytes, expected 1000")
        try Self.damage(t, v, chunk: 2) { _ in nil }
        #expect(thrownMessage { _ = try t.registry.artifact(ModelRef(parsing: "churn/1")) }
                == "artifact of churn/1 (sha256 \(v.sha256)) is damaged: chunk 1 of 3 has 999 bytes, expected 1000")
        try Self.damage(t, v, chunk: 1) { _ in Array(try! Self.fixtureBytes("xgb_binary.json")[1000..<2000]) }
        #expect(thrownMessage { _ = try t.registry.artifact(ModelRef(parsing: "churn/1")) }
                == "artifact of churn/1 (sha256 \(v.sha256)) is damaged: chunk 2 of 3 is missing")
    }
}

extension Data {
    init?(hexString: String) {
        var bytes: [UInt8] = []
        var it = hexString.makeIterator()
        while let hi = it.next() {
            guard let lo = it.next(), let b = UInt8(String([hi, lo]), radix: 16) else { return nil }
            bytes.append(b)
        }
        self.init(bytes)
    }
}
