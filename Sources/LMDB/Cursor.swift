import CLMDB

/// A position in a database, moved by `first`/`next`/`seek…`; each move
/// returns false when it runs off the end. ``key`` and ``value`` point into the
/// memory map and are valid until the next move or the end of the closure
/// that handed out the cursor.
///
/// ```swift
/// try env.read { txn in
///     try txn.withCursor(db) { c in
///         var more = try c.seek(atLeast: prefix)
///         while more, c.key.starts(with: prefix) { use(c.value); more = try c.next() }
///     }
/// }
/// ```
public struct Cursor: ~Copyable {
    @usableFromInline let handle: OpaquePointer
    @usableFromInline let database: Database
    @usableFromInline var k = MDB_val()
    @usableFromInline var v = MDB_val()

    @usableFromInline init(handle: OpaquePointer, database: Database) {
        self.handle = handle
        self.database = database
    }

    /// The key at the cursor (valid until the next move).
    @inlinable public var key: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size) }
    /// The value at the cursor (valid until the next move).
    @inlinable public var value: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size) }

    @inlinable
    mutating func move(_ op: MDB_cursor_op) throws -> Bool {
        let rc = mdb_cursor_get(handle, &k, &v, op)
        if rc == MDB_NOTFOUND { k = MDB_val(); v = MDB_val(); return false }
        try check(rc, "mdb_cursor_get", database: database.name)
        return true
    }

    @inlinable public mutating func first() throws -> Bool { try move(MDB_FIRST) }
    @inlinable public mutating func last() throws -> Bool { try move(MDB_LAST) }
    @inlinable public mutating func next() throws -> Bool { try move(MDB_NEXT) }
    @inlinable public mutating func previous() throws -> Bool { try move(MDB_PREV) }

    /// Moves to the first key ≥ `key`.
    @inlinable
    public mutating func seek(atLeast key: UnsafeRawBufferPointer) throws -> Bool {
        k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        return try move(MDB_SET_RANGE)
    }

    /// Moves to the first key ≥ `key`.
    public mutating func seek(atLeast key: [UInt8]) throws -> Bool {
        try key.withUnsafeBytes { try seek(atLeast: $0) }
    }

    /// Moves to exactly `key`.
    @inlinable
    public mutating func seek(exactly key: UnsafeRawBufferPointer) throws -> Bool {
        k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        return try move(MDB_SET_KEY)
    }

    /// Moves to exactly `key`.
    public mutating func seek(exactly key: [UInt8]) throws -> Bool {
        try key.withUnsafeBytes { try seek(exactly: $0) }
    }

    /// Moves to the last key ≤ `key` (seek then step back when past it).
    public mutating func seek(atMost key: UnsafeRawBufferPointer) throws -> Bool {
        if try seek(atLeast: key) {
            if self.key.elementsEqual(key) { return true }
            return try previous()
        }
        return try last()
    }

    /// Moves to the last key ≤ `key`.
    public mutating func seek(atMost key: [UInt8]) throws -> Bool {
        try key.withUnsafeBytes { try seek(atMost: $0) }
    }

    /// Stores `value` under `key` through the cursor (write transactions only).
    @inlinable
    public mutating func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer,
                             flags: PutFlags = []) throws {
        var kk = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var vv = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_cursor_put(handle, &kk, &vv, flags.rawValue), "mdb_cursor_put", database: database.name)
    }

    /// Deletes the entry at the cursor; the cursor then sits on the next entry,
    /// which ``refresh()`` loads (write transactions only; not for DUPSORT).
    @inlinable
    public mutating func deleteCurrent() throws {
        try check(mdb_cursor_del(handle, 0), "mdb_cursor_del", database: database.name)
    }

    /// Reloads key and value at the current position (after ``deleteCurrent()``);
    /// false when the position is past the end.
    @inlinable
    public mutating func refresh() throws -> Bool { try move(MDB_GET_CURRENT) }
}
