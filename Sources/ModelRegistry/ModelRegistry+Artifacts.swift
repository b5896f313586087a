import Crypto
import FeatureStore
import LMDB

/// Content-addressed artifact storage: `artifacts` holds the chunks under
/// `sha256 · chunk number`, `artifact_refs` one ``ArtifactRecord`` per
/// artifact with its chunk hashes and reference count.
extension ModelRegistry {
    /// SHA-256 of `bytes`, raw and hex.
    static func sha256(_ bytes: UnsafeRawBufferPointer) -> (raw: [UInt8], hex: String) {
        let raw = Array(SHA256.hash(data: bytes))
        return (raw, FileHash.hex(raw))
    }

    func loadArtifact(_ sha: [UInt8], _ db: Databases, _ txn: borrowing Transaction) throws -> ArtifactRecord? {
        try txn.withValue(forKey: RegistryKeys.artifact(sha), in: db.artifactRefs) { v in
            try v.map { try Self.decode(ArtifactRecord.self, $0, what: "artifact \(FileHash.hex(sha))") }
        }
    }

    /// Adds a reference to the artifact with these bytes, storing its chunks
    /// when no version references it yet. Returns the record as stored.
    func retainArtifact(_ bytes: [UInt8], sha: [UInt8], _ db: Databases, _ txn: inout Transaction) throws -> ArtifactRecord {
        if var record = try loadArtifact(sha, db, txn) {
            guard record.size == bytes.count else {
                throw RegistryError.corrupt("artifact \(FileHash.hex(sha)): stored with \(record.size) bytes, "
                                            + "but a file with the same SHA-256 has \(bytes.count)")
            }
            record.references += 1
            try txn.put(RegistryKeys.artifact(sha), try Self.encode(record), in: db.artifactRefs)
            return record
        }
        var chunkHashes: [String] = []
        try bytes.withUnsafeBytes { all in
            var index = 0
            var offset = 0
            // An empty artifact still has one (empty) chunk, so reads find something.
            repeat {
                let chunk = UnsafeRawBufferPointer(rebasing: all[offset..<min(offset + chunkSize, all.count)])
                chunkHashes.append(Self.sha256(chunk).hex)
                try RegistryKeys.chunk(sha, index).withUnsafeBytes { k in try txn.put(k, chunk, in: db.artifacts) }
                index += 1
                offset += chunkSize
            } while offset < all.count
        }
        let record = ArtifactRecord(sha256: FileHash.hex(sha), size: bytes.count, chunkSize: chunkSize,
                                    chunkSHA256: chunkHashes, references: 1)
        try txn.put(RegistryKeys.artifact(sha), try Self.encode(record), in: db.artifactRefs)
        return record
    }

    /// Drops one reference; removes the chunks and the record at zero.
    /// Returns true when the artifact was removed.
    @discardableResult
    func releaseArtifact(_ shaHex: String, _ db: Databases, _ txn: inout Transaction) throws -> Bool {
        guard let sha = FileHash.unhex(shaHex), sha.count == 32, var record = try loadArtifact(sha, db, txn) else {
            throw RegistryError.corrupt("artifact \(shaHex) is referenced by a model version but not stored")
        }
        record.references -= 1
        if record.references > 0 {
            try txn.put(RegistryKeys.artifact(sha), try Self.encode(record), in: db.artifactRefs)
            return false
        }
        for i in 0..<record.chunks { try txn.delete(RegistryKeys.chunk(sha, i), in: db.artifacts) }
        try txn.delete(RegistryKeys.artifact(sha), in: db.artifactRefs)
        return true
    }

    /// Hands the artifact of `version` to `body` chunk by chunk (zero-copy,
    /// valid only during the call), verifying each chunk's hash and length
    /// before handing it out and the whole content's hash at the end: a
    /// damaged store throws ``FeatureStoreError/Kind/corrupt`` naming the chunk.
    func readArtifact(of version: ModelVersion, _ db: Databases, _ txn: borrowing Transaction,
                      _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let what = "artifact of \(version.ref) (sha256 \(version.sha256))"
        guard let sha = FileHash.unhex(version.sha256), sha.count == 32, let record = try loadArtifact(sha, db, txn) else {
            throw RegistryError.corrupt("\(what) is missing from the store")
        }
        guard record.size == version.size else {
            throw RegistryError.corrupt("\(what): stored with \(record.size) bytes, the version says \(version.size)")
        }
        var whole = SHA256()
        var total = 0
        for (i, expected) in record.chunkSHA256.enumerated() {
            let expectedLength = min(record.chunkSize, record.size - i * record.chunkSize)
            try txn.withValue(forKey: RegistryKeys.chunk(sha, i), in: db.artifacts) { chunk in
                guard let chunk else {
                    throw RegistryError.corrupt("\(what) is damaged: chunk \(i) of \(record.chunks) is missing")
                }
                guard chunk.count == max(expectedLength, 0) else {
                    throw RegistryError.corrupt("\(what) is damaged: chunk \(i) of \(record.chunks) has \(chunk.count) "
                                                + "bytes, expected \(max(expectedLength, 0))")
                }
                let got = Self.sha256(chunk).hex
                guard got == expected else {
                    throw RegistryError.corrupt("\(what) is damaged: chunk \(i) of \(record.chunks) hashes to \(got), "
                                                + "expected \(expected); the store's copy cannot be trusted "
                                                + "(restore the store from a backup, or register the file again)")
                }
                whole.update(bufferPointer: chunk)
                total += chunk.count
                try body(chunk)
            }
        }
        let got = FileHash.hex(Array(whole.finalize()))
        guard total == record.size, got == version.sha256 else {
            throw RegistryError.corrupt("\(what) is damaged: its \(total) bytes hash to \(got)")
        }
    }
}
