import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error returned by liblmdb, with the function that returned it and the
/// database it concerned.
///
/// Every return code passes through one funnel (``check(_:_:database:)``), so
/// every failure carries the same context. Match a specific code with the
/// static members:
///
/// ```swift
/// do { try env.write { txn in try txn.put(k, v, in: db) } }
/// catch LMDBError.mapFull { … }
/// ```
public struct LMDBError: Error, CustomStringConvertible, Sendable, Equatable {
    /// An LMDB (or errno) return code.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let keyExists = Code(rawValue: MDB_KEYEXIST)
        public static let notFound = Code(rawValue: MDB_NOTFOUND)
        public static let mapFull = Code(rawValue: MDB_MAP_FULL)
        public static let mapResized = Code(rawValue: MDB_MAP_RESIZED)
        public static let readersFull = Code(rawValue: MDB_READERS_FULL)
        public static let txnFull = Code(rawValue: MDB_TXN_FULL)
        public static let dbsFull = Code(rawValue: MDB_DBS_FULL)
        public static let badValueSize = Code(rawValue: MDB_BAD_VALSIZE)
        public static let corrupted = Code(rawValue: MDB_CORRUPTED)
        public static let invalid = Code(rawValue: MDB_INVALID)
        public static let versionMismatch = Code(rawValue: MDB_VERSION_MISMATCH)
    }

    public let code: Code
    /// The liblmdb function that failed, e.g. `mdb_put`.
    public let function: String
    /// The named database involved, when there is one.
    public let database: String?
    /// What the wrapper knows beyond the code (e.g. why it refused a call), if anything.
    public let detail: String?

    public init(code: Int32, function: String, database: String? = nil, detail: String? = nil) {
        self.code = Code(rawValue: code)
        self.function = function
        self.database = database
        self.detail = detail
    }

    /// `mdb_strerror`'s text for the code.
    public var message: String { String(cString: mdb_strerror(code.rawValue)) }

    public var description: String {
        var s = "\(function)"
        if let database { s += " on database '\(database)'" }
        s += ": " + message + " (\(code.rawValue))"
        if let detail { s += ": " + detail }
        return s
    }

    public static let keyExists = Code.keyExists
    public static let notFound = Code.notFound
    public static let mapFull = Code.mapFull
    public static let readersFull = Code.readersFull
    public static let txnFull = Code.txnFull
    public static let badValueSize = Code.badValueSize
}

/// Lets `catch LMDBError.mapFull` match an ``LMDBError`` with that code.
public func ~= (pattern: LMDBError.Code, error: any Error) -> Bool {
    (error as? LMDBError)?.code == pattern
}

/// The funnel every liblmdb return code goes through.
@inlinable @inline(__always)
func check(_ rc: Int32, _ function: StaticString, database: String? = nil) throws {
    if rc != 0 { throw LMDBError(rc, function, database: database) }
}

extension LMDBError {
    /// The funnel's slow path, kept out of line.
    @usableFromInline
    init(_ rc: Int32, _ function: StaticString, database: String?) {
        // LMDB answers EINVAL for a handle that this transaction does not know,
        // which is most often a database opened after the transaction began.
        let name = "\(function)"
        let takesHandle = ["mdb_get", "mdb_put", "mdb_del", "mdb_stat", "mdb_drop", "mdb_cursor_open"].contains(name)
        let detail = rc == EINVAL && database != nil && takesHandle
            ? "the database handle was opened after this transaction began, or belongs to another environment"
            : nil
        self.init(code: rc, function: name, database: database, detail: detail)
    }
}
