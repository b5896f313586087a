import CLMDB

/// A handle to a named database inside an ``Environment``. Cheap to copy and
/// valid for the environment's life.
public struct Database: Sendable, Hashable {
    @usableFromInline let dbi: MDB_dbi
    /// The name it was opened with (for error messages).
    public let name: String
    @usableFromInline init(dbi: MDB_dbi, name: String) { self.dbi = dbi; self.name = name }
}

/// Flags for ``Transaction/put(_:_:in:flags:)``.
public struct PutFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Fail with `LMDBError.keyExists` instead of overwriting.
    public static let noOverwrite = PutFlags(rawValue: UInt32(MDB_NOOVERWRITE))
    /// The key sorts after every key in the database (bulk loads of sorted keys);
    /// `LMDBError.keyExists` otherwise.
    public static let append = PutFlags(rawValue: UInt32(MDB_APPEND))
}

/// Entry count and B-tree shape of one database (`mdb_stat`).
public struct DatabaseStat: Sendable {
    public var entries: Int
    public var depth: Int
    public var branchPages: Int
    public var leafPages: Int
    public var overflowPages: Int
    public var pageSize: Int
    /// Bytes in pages (branch + leaf + overflow).
    public var bytes: Int { (branchPages + leafPages + overflowPages) * pageSize }
}
