import LMDB
import Tabular
#if canImport(Glibc)
import Glibc
#endif

/// A feature store: one directory holding one LMDB environment with the
/// catalog, the event log, the online table and their bookkeeping.
///
/// ```swift
/// let store = try Store.create(at: "./feature_store")
/// _ = try store.apply(definitionsFile: "features.yaml")
/// let batch = try store.ingest(table: "user_stats", files: ["events.csv"])
/// try store.materialize(start: t0, end: t1)
/// let r = try store.onlineFeatures(refs: ["user_stats:age"], entities: [["user_id": .int64(1)]])
/// ```
public final class Store: @unchecked Sendable {
    /// The store's on-disk format; bumped on incompatible layout changes.
    public static let formatVersion: UInt32 = 1

    public let path: String
    public let environment: Environment
    let db: Databases

    /// The named databases of a store (docs/storage-format.md).
    struct Databases {
        let meta: Database
        let catalog: Database
        let events: Database
        let online: Database
        let batches: Database
        let sources: Database
        let watermarks: Database
        /// Training-set records of point-in-time exports (Export/TrainingSet.swift).
        let trainingSets: Database
        /// Lineage edges by from-node and their reverse index by to-node
        /// (Lineage/LineageKey.swift). Nil only in a read-only open of a store
        /// made before lineage existed: it then has no edges.
        let lineage: Database?
        let lineageReverse: Database?
        /// Feature statistics and rejected-event counts per day
        /// (Statistics/StatisticsKey.swift); nil only in a read-only open of a
        /// store made before statistics existed.
        let statistics: Database?
    }

    private init(path: String, environment: Environment, create: Bool) throws {
        self.path = path
        self.environment = environment
        let c = create && !environment.options.readOnly
        db = Databases(meta: try Self.openDatabase("meta", environment, path, c),
                       catalog: try Self.openDatabase("catalog", environment, path, c),
                       events: try Self.openDatabase("events", environment, path, c),
                       online: try Self.openDatabase("online", environment, path, c),
                       batches: try Self.openDatabase("batches", environment, path, c),
                       sources: try Self.openDatabase("sources", environment, path, c),
                       watermarks: try Self.openDatabase("watermarks", environment, path, c),
                       trainingSets: try Self.openDatabase("training_sets", environment, path, c),
                       lineage: try Self.openOptionalDatabase("lineage", environment, !environment.options.readOnly),
                       lineageReverse: try Self.openOptionalDatabase("lineage_in", environment,
                                                                     !environment.options.readOnly),
                       statistics: try Self.openOptionalDatabase("feature_stats", environment, !environment.options.readOnly))
    }

    /// Opens a database added after format 1 was released: created when the
    /// environment is writable, nil when a read-only store lacks it.
    private static func openOptionalDatabase(_ name: String, _ env: Environment, _ create: Bool) throws -> Database? {
        do {
            return try env.openDatabase(name, create: create)
        } catch let e as LMDBError where e.code == .notFound {
            return nil
        }
    }

    private static func openDatabase(_ name: String, _ env: Environment, _ path: String, _ create: Bool) throws -> Database {
        do {
            return try env.openDatabase(name, create: create)
        } catch let e as LMDBError where e.code == .notFound {
            throw FeatureStoreError.corrupt("\(path): not a feature store (database '\(name)' is missing)")
        }
    }

    /// Creates the directory (if needed) and an empty store in it. Creating a
    /// store where one exists is harmless and returns it.
    public static func create(at path: String, options: Environment.Options = Environment.Options()) throws -> Store {
        try FileSystem.makeDirectories(path)
        let env = try openEnvironment(path, options: options)
        let store = try Store(path: path, environment: env, create: true)
        try env.write { txn in
            if try txn.get(MetaKey.format, in: store.db.meta) == nil {
                try txn.put(MetaKey.format, Bytes.uint32(formatVersion), in: store.db.meta)
                try txn.put(MetaKey.storeId, Array(FileSystem.randomHex(16).utf8), in: store.db.meta)
                try txn.put(MetaKey.createdAt, Bytes.int64(Clock.nowMicros()), in: store.db.meta)
            }
        }
        return store
    }

    /// Opens an existing store; errors if `path` holds none.
    public static func open(at path: String, options: Environment.Options = Environment.Options()) throws -> Store {
        guard FileSystem.exists(path + "/data.mdb") else {
            if FileSystem.exists(path) && !FileSystem.isDirectory(path) {
                throw FeatureStoreError.notFound("no feature store at '\(path)': it is a file, and a store is a directory "
                                                 + "(create one elsewhere with `fsctl init DIR`)")
            }
            throw FeatureStoreError.notFound("no feature store at '\(path)' (create one with `fsctl init \(path)`)")
        }
        let env = try openEnvironment(path, options: options)
        let store = try Store(path: path, environment: env, create: !options.readOnly)
        let format = try env.read { txn in try txn.get(MetaKey.format, in: store.db.meta) }
        guard let format, format.count == 4 else {
            throw FeatureStoreError.corrupt("\(path): not a feature store (no format version)")
        }
        let v = Bytes.readUInt32(format)
        guard v == formatVersion else {
            throw FeatureStoreError.corrupt("\(path): store format \(v) is not supported (this fsctl reads format \(formatVersion))")
        }
        return store
    }

    private static func openEnvironment(_ path: String, options: Environment.Options) throws -> Environment {
        do { return try Environment(path: path, options: options) }
        catch { throw FeatureStoreError.io("\(path): cannot open the store: \(error)") }
    }

    /// The random id given to the store at creation.
    public func storeId() throws -> String {
        try environment.read { txn in
            try txn.get(MetaKey.storeId, in: db.meta).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }

    // MARK: Counters

    func nextCounter(_ key: [UInt8], in txn: inout Transaction, start: UInt64 = 1) throws -> UInt64 {
        let current = try txn.get(key, in: db.meta).map(Bytes.readUInt64) ?? start
        try txn.put(key, Bytes.uint64(current + 1), in: db.meta)
        return current
    }
}

/// Keys of the `meta` database.
enum MetaKey {
    static let format = Array("format".utf8)
    static let storeId = Array("store_id".utf8)
    static let createdAt = Array("created_at".utf8)
    static let nextTableId = Array("next_table_id".utf8)
    static let nextBatchId = Array("next_batch_id".utf8)
}

/// Little helpers for fixed-width big-endian values in bookkeeping records.
enum Bytes {
    static func uint32(_ x: UInt32) -> [UInt8] { var o: [UInt8] = []; KeyCodec.appendUInt32(x, to: &o); return o }
    static func uint64(_ x: UInt64) -> [UInt8] { var o: [UInt8] = []; KeyCodec.appendUInt64(x, to: &o); return o }
    static func int64(_ x: Int64) -> [UInt8] { var o: [UInt8] = []; KeyCodec.appendInt64(x, to: &o); return o }
    static func readUInt32(_ b: [UInt8]) -> UInt32 { b.withUnsafeBytes { KeyCodec.readUInt32($0, at: 0) } }
    static func readUInt64(_ b: [UInt8]) -> UInt64 { b.withUnsafeBytes { KeyCodec.readUInt64($0, at: 0) } }
    static func readInt64(_ b: [UInt8]) -> Int64 { b.withUnsafeBytes { KeyCodec.readInt64($0, at: 0) } }
}

/// Wall-clock time in UTC microseconds.
public enum Clock {
    public static func nowMicros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }
}

/// The few file-system calls the store needs, with errors that name the path.
enum FileSystem {
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    static func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part
            if !exists(prefix) && mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw FeatureStoreError.io("\(prefix): cannot create directory: \(String(cString: strerror(errno)))")
            }
            prefix += "/"
        }
    }

    static func randomHex(_ bytes: Int) -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in
            let b = UInt8.random(in: 0...255, using: &g)
            let h = Array("0123456789abcdef".utf8)
            return String(decoding: [h[Int(b >> 4)], h[Int(b & 15)]], as: UTF8.self)
        }.joined()
    }
}

extension FileSystem {
    /// The whole content of a (small) text file, e.g. a definitions file.
    /// `path` made absolute (symlinks resolved) when it exists, else as given.
    static func absolutePath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func readText(_ path: String) throws -> String {
        String(decoding: try readAll(path), as: UTF8.self)
    }

    static func readAll(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FeatureStoreError.io("\(path): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FeatureStoreError.io("\(path): cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            out.append(contentsOf: buffer[..<n])
        }
        return out
    }

    /// Calls `body` with successive chunks of the file (streaming, for hashing).
    static func forEachChunk(_ path: String, chunkSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FeatureStoreError.io("\(path): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, chunkSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw FeatureStoreError.io("\(path): cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            body(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
    }

    /// Writes `bytes` to `path` atomically (temp file + rename).
    static func writeAll(_ path: String, _ bytes: [UInt8]) throws {
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FeatureStoreError.io("\(path): cannot create: \(String(cString: strerror(errno)))") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                close(fd); unlink(tmp)
                throw FeatureStoreError.io("\(path): cannot write: \(String(cString: strerror(errno)))")
            }
            written += n
        }
        close(fd)
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw FeatureStoreError.io("\(path): cannot write: \(String(cString: strerror(errno)))")
        }
    }
}
