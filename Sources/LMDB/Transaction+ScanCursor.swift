import CLMDB

extension Transaction {
    /// Runs `body` with a cursor over `db` **and** the transaction itself, so a
    /// scan of one database can write to others as it goes (materialization
    /// reads the event log and writes the online table in one transaction).
    ///
    /// Writing to `db` itself through `txn` while the cursor is open is allowed
    /// by LMDB but moves the cursor's page; prefer the cursor's own `put`/
    /// `deleteCurrent` for that.
    @inlinable
    public mutating func withScanCursor<R>(_ db: Database, _ body: (inout Cursor, inout Transaction) throws -> R) throws -> R {
        var c: OpaquePointer?
        try check(mdb_cursor_open(handle, db.dbi, &c), "mdb_cursor_open", database: db.name)
        var cursor = Cursor(handle: c!, database: db)
        defer { mdb_cursor_close(c) }
        return try body(&cursor, &self)
    }
}
