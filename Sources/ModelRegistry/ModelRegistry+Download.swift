import FeatureStore
import LMDB
#if canImport(Glibc)
import Glibc
#endif

extension ModelRegistry {
    /// The artifact of the version `ref` names, verified against its SHA-256
    /// (each chunk, then the whole), with the version record.
    ///
    /// - Throws: ``FeatureStoreError`` of kind `corrupt` naming the damaged chunk.
    public func artifact(_ ref: ModelRef) throws -> (version: ModelVersion, bytes: [UInt8]) {
        try store.environment.read { txn in
            let v = try resolve(ref, db, txn)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(v.size)
            try readArtifact(of: v, db!, txn) { bytes.append(contentsOf: $0) }
            return (v, bytes)
        }
    }

    /// Writes the artifact of the version `ref` names to `path`, verifying
    /// every chunk and the whole content's SHA-256 on the way out. The file
    /// appears (by rename) only when everything checked out; a damaged
    /// artifact leaves no file and throws an error naming the chunk.
    ///
    /// ```swift
    /// let v = try registry.download(try ModelRef(parsing: "churn@production"), to: "model.json")
    /// ```
    @discardableResult
    public func download(_ ref: ModelRef, to path: String) throws -> ModelVersion {
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw RegistryError.io("\(path): cannot create: \(String(cString: strerror(errno)))") }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do {
            let v = try store.environment.read { txn in
                let v = try resolve(ref, db, txn)
                try readArtifact(of: v, db!, txn) { chunk in try Self.writeAll(fd, chunk, path: path) }
                return v
            }
            guard fsync(fd) == 0 else { throw RegistryError.io("\(path): cannot write: \(String(cString: strerror(errno)))") }
            closed = true
            close(fd)
            guard rename(tmp, path) == 0 else {
                throw RegistryError.io("\(path): cannot write: \(String(cString: strerror(errno)))")
            }
            return v
        } catch {
            unlink(tmp)
            throw error
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw RegistryError.io("\(path): cannot write: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }
}
