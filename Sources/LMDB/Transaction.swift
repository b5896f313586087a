import CLMDB

/// A read or write transaction. It exists only inside ``Environment/read(_:)``
/// (borrowed: only reads compile) and ``Environment/write(_:)`` (inout), and is
/// non-copyable, so it can neither escape nor cross an `await`.
///
/// Zero-copy rule (mdb_get's): a buffer handed to a closure points into the
/// memory map and is valid only until that closure returns; in a write
/// transaction, only until the next write. Copy what must be kept.
public struct Transaction: ~Copyable {
    @usableFromInline let handle: OpaquePointer
    /// True inside ``Environment/read(_:)``.
    public let isReadOnly: Bool

    @usableFromInline init(handle: OpaquePointer, isReadOnly: Bool) {
        self.handle = handle
        self.isReadOnly = isReadOnly
    }

    /// The transaction's id (`mdb_txn_id`): in a read transaction, the id of
    /// the last write transaction committed before its snapshot. Two reads
    /// with the same id see exactly the same data, so a caller can skip
    /// re-checking what it verified at that id.
    @inlinable
    public var id: Int { Int(mdb_txn_id(handle)) }

    // MARK: Reads

    /// Calls `body` with the value stored under `key` (nil when absent), zero-copy.
    @inlinable
    public func withValue<R>(forKey key: UnsafeRawBufferPointer, in db: Database,
                             _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(handle, db.dbi, &k, &v)
        if rc == MDB_NOTFOUND { return try body(nil) }
        try check(rc, "mdb_get", database: db.name)
        return try body(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// Calls `body` with the value stored under `key` (nil when absent), zero-copy.
    @inlinable
    public func withValue<R>(forKey key: [UInt8], in db: Database,
                             _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R {
        try key.withUnsafeBytes { k in try withValue(forKey: k, in: db, body) }
    }

    /// A copy of the value stored under `key`, or nil.
    public func get(_ key: [UInt8], in db: Database) throws -> [UInt8]? {
        try withValue(forKey: key, in: db) { $0.map { Array($0) } }
    }

    /// Entry count and B-tree shape of `db` as seen by this transaction.
    public func stat(_ db: Database) throws -> DatabaseStat {
        var s = MDB_stat()
        try check(mdb_stat(handle, db.dbi, &s), "mdb_stat", database: db.name)
        return DatabaseStat(entries: s.ms_entries, depth: Int(s.ms_depth), branchPages: s.ms_branch_pages,
                            leafPages: s.ms_leaf_pages, overflowPages: s.ms_overflow_pages,
                            pageSize: Int(s.ms_psize))
    }

    /// Runs `body` with a cursor over `db`, closed when `body` returns.
    @inlinable
    public func withCursor<R>(_ db: Database, _ body: (inout Cursor) throws -> R) throws -> R {
        var c: OpaquePointer?
        try check(mdb_cursor_open(handle, db.dbi, &c), "mdb_cursor_open", database: db.name)
        var cursor = Cursor(handle: c!, database: db)
        defer { mdb_cursor_close(c) }
        return try body(&cursor)
    }

    // MARK: Writes

    /// Stores `value` under `key`.
    @inlinable
    public mutating func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer,
                             in db: Database, flags: PutFlags = []) throws {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_put(handle, db.dbi, &k, &v, flags.rawValue), "mdb_put", database: db.name)
    }

    /// Stores `value` under `key`.
    public mutating func put(_ key: [UInt8], _ value: [UInt8], in db: Database, flags: PutFlags = []) throws {
        try key.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in try put(k, v, in: db, flags: flags) }
        }
    }

    /// Reserves `count` bytes under `key` and lets `fill` write them in place
    /// (`MDB_RESERVE`: no intermediate copy of the value).
    @inlinable
    public mutating func put(_ key: UnsafeRawBufferPointer, reserving count: Int, in db: Database,
                             flags: PutFlags = [], _ fill: (UnsafeMutableRawBufferPointer) -> Void) throws {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: count, mv_data: nil)
        try check(mdb_put(handle, db.dbi, &k, &v, flags.rawValue | UInt32(MDB_RESERVE)), "mdb_put", database: db.name)
        fill(UnsafeMutableRawBufferPointer(start: v.mv_data, count: count))
    }

    /// Deletes `key`; returns false when it was absent.
    @inlinable @discardableResult
    public mutating func delete(_ key: UnsafeRawBufferPointer, in db: Database) throws -> Bool {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let rc = mdb_del(handle, db.dbi, &k, nil)
        if rc == MDB_NOTFOUND { return false }
        try check(rc, "mdb_del", database: db.name)
        return true
    }

    /// Deletes `key`; returns false when it was absent.
    @discardableResult
    public mutating func delete(_ key: [UInt8], in db: Database) throws -> Bool {
        try key.withUnsafeBytes { k in try delete(k, in: db) }
    }

    /// Removes every entry of `db` (the database itself stays).
    public mutating func clear(_ db: Database) throws {
        try check(mdb_drop(handle, db.dbi, 0), "mdb_drop", database: db.name)
    }

    /// Runs `body` with a cursor that may also write (put/delete at the cursor).
    @inlinable
    public mutating func withWriteCursor<R>(_ db: Database, _ body: (inout Cursor) throws -> R) throws -> R {
        try withCursor(db, body)
    }
}
