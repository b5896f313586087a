import CLMDB

/// A forward scan over a database in a **read** transaction that reads the
/// rest of each leaf page's entries straight from the memory map, calling
/// LMDB only to seek and to cross from one leaf page to the next.
///
/// Caveats first:
/// - Read transactions only (``Transaction/withLeafScan(_:_:)`` checks): a
///   read transaction's pages never change, a write transaction's do.
/// - ``key`` and ``value`` point into the map and stay valid until the read
///   transaction ends (not only until the next move, as a ``Cursor``'s in a
///   write transaction).
/// - It reads LMDB's page and node layout (`mdb.c`, data format 1: a 16-byte
///   page header, then 16-bit node offsets; a node's 8-byte header holds its
///   data size, flags and key size). Every time it starts on a page it checks
///   that layout against what `mdb_cursor_get` returned for the same entry —
///   the same key address and size, the same value address and size — and
///   where it does not match, or the database is `MDB_DUPSORT`, it moves
///   with the cursor alone, exactly like ``Cursor/next()``. An entry whose
///   value lives on overflow pages (`F_BIGDATA`) is read through the cursor.
///
/// Why: stepping with `mdb_cursor_get(MDB_NEXT)` costs a library call and
/// the cursor's bookkeeping per entry. Measured on the point-in-time
/// benchmark's event log (10M entries, 620k leaf pages, warm page cache, one
/// thread, `tools/lmdb_walk_bench.c`): 61 ns per entry with `MDB_NEXT`, 40 ns
/// reading the page's nodes directly.
///
/// ```swift
/// try env.read { txn in
///     try txn.withLeafScan(db) { scan in
///         var more = try scan.seek(atLeast: prefix)
///         while more, scan.key.starts(with: prefix) { use(scan.value); more = try scan.next() }
///     }
/// }
/// ```
public struct LeafScan: ~Copyable {
    @usableFromInline var cursor: Cursor
    /// `~(page size - 1)`: a leaf node's address masked is its page's.
    @usableFromInline let pageMask: UInt
    /// False: the cursor alone moves (DUPSORT, or a layout check failed).
    @usableFromInline var direct: Bool
    /// The leaf page being read directly (nil: the cursor's position is the scan's).
    @usableFromInline var page: UnsafeRawPointer?
    /// The current entry's index on ``page`` and the page's entry count.
    @usableFromInline var index = 0
    @usableFromInline var count = 0
    @usableFromInline var k = UnsafeRawBufferPointer(start: nil, count: 0)
    @usableFromInline var v = UnsafeRawBufferPointer(start: nil, count: 0)

    /// LMDB's page header size and flags, and node header size and flags (mdb.c).
    @usableFromInline static let pageHeaderBytes = 16
    @usableFromInline static let leafFlag: UInt16 = 0x02
    @usableFromInline static let leaf2Flag: UInt16 = 0x20
    @usableFromInline static let nodeHeaderBytes = 8

    @usableFromInline init(cursor: consuming Cursor, pageSize: Int, direct: Bool) {
        self.cursor = cursor
        self.pageMask = ~UInt(pageSize - 1)
        self.direct = direct && pageSize > 0 && pageSize & (pageSize - 1) == 0
    }

    /// The key at the scan's position (valid until the read transaction ends).
    @inlinable public var key: UnsafeRawBufferPointer { k }
    /// The value at the scan's position (valid until the read transaction ends).
    @inlinable public var value: UnsafeRawBufferPointer { v }

    /// Whether the scan reads pages directly (false: every move is a cursor
    /// move). For tests and diagnostics.
    public var readsPagesDirectly: Bool { direct }

    /// Moves to the first key.
    public mutating func first() throws -> Bool {
        adopt(try cursor.first())
    }

    /// Moves to the first key ≥ `key`.
    @inlinable
    public mutating func seek(atLeast key: UnsafeRawBufferPointer) throws -> Bool {
        adopt(try cursor.seek(atLeast: key))
    }

    /// Moves to the next key; false past the last.
    @inlinable
    public mutating func next() throws -> Bool {
        if let page, index + 1 < count {
            index += 1
            let node = page + Int(page.loadUnaligned(fromByteOffset: Self.pageHeaderBytes + 2 * index, as: UInt16.self))
            if node.loadUnaligned(fromByteOffset: 4, as: UInt16.self) == 0 {
                let keyCount = Int(node.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
                let dataCount = Int(node.loadUnaligned(fromByteOffset: 0, as: UInt16.self))
                    | Int(node.loadUnaligned(fromByteOffset: 2, as: UInt16.self)) << 16
                let keyStart = node + Self.nodeHeaderBytes
                k = UnsafeRawBufferPointer(start: keyStart, count: keyCount)
                v = UnsafeRawBufferPointer(start: keyStart + keyCount, count: dataCount)
                return true
            }
            // A value on overflow pages: the cursor finds it (and then sits on it).
            let key = UnsafeRawBufferPointer(start: node + Self.nodeHeaderBytes,
                                             count: Int(node.loadUnaligned(fromByteOffset: 6, as: UInt16.self)))
            guard try cursor.seek(exactly: key) else { throw Self.lostEntry(cursor.database) }
            k = cursor.key
            v = cursor.value
            return true
        }
        if page != nil {
            // The cursor is still on the entry where the page was entered: put it on
            // the page's last entry (a search of the cursor's own page) to step on.
            guard try cursor.seek(exactly: k) else { throw Self.lostEntry(cursor.database) }
        }
        return adopt(try cursor.next())
    }

    /// An entry the scan read from a page that the cursor then could not find
    /// (a read transaction's pages do not change: the map is damaged).
    @usableFromInline
    static func lostEntry(_ db: Database) -> LMDBError {
        LMDBError(code: MDB_CORRUPTED, function: "mdb_cursor_get", database: db.name,
                  detail: "an entry read from its leaf page was not found by the cursor")
    }

    /// Takes the cursor's position as the scan's and, reading directly, finds
    /// the entry on its leaf page.
    @inlinable
    mutating func adopt(_ positioned: Bool) -> Bool {
        page = nil
        guard positioned else {
            k = UnsafeRawBufferPointer(start: nil, count: 0)
            v = UnsafeRawBufferPointer(start: nil, count: 0)
            return false
        }
        k = cursor.key
        v = cursor.value
        if direct { enterPage() }
        return true
    }

    /// Finds the cursor's entry on its leaf page, checking the layout against
    /// the cursor's key and value; stops reading directly when it does not match.
    @usableFromInline
    mutating func enterPage() {
        guard let keyStart = k.baseAddress, let valueStart = v.baseAddress else { return }
        let node = keyStart - Self.nodeHeaderBytes
        let base = UnsafeRawPointer(bitPattern: UInt(bitPattern: node) & pageMask)!
        let flags = base.loadUnaligned(fromByteOffset: 10, as: UInt16.self)
        let lower = Int(base.loadUnaligned(fromByteOffset: 12, as: UInt16.self))
        let pageBytes = Int(~pageMask) + 1
        guard flags & Self.leafFlag != 0, flags & Self.leaf2Flag == 0,
              lower > Self.pageHeaderBytes, lower <= pageBytes else {
            direct = false
            return
        }
        let entries = (lower - Self.pageHeaderBytes) / 2
        let offset = UInt16(node - base)
        var i = 0
        while i < entries, base.loadUnaligned(fromByteOffset: Self.pageHeaderBytes + 2 * i, as: UInt16.self) != offset {
            i += 1
        }
        let nodeFlags = node.loadUnaligned(fromByteOffset: 4, as: UInt16.self)
        let keyCount = Int(node.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
        let dataCount = Int(node.loadUnaligned(fromByteOffset: 0, as: UInt16.self))
            | Int(node.loadUnaligned(fromByteOffset: 2, as: UInt16.self)) << 16
        guard i < entries, keyCount == k.count,
              nodeFlags != 0 || (dataCount == v.count && valueStart == keyStart + keyCount) else {
            direct = false
            return
        }
        page = base
        index = i
        count = entries
    }

    /// The number of the map page (address ÷ ``Cursor/prefetchedPageBytes``)
    /// that holds the current key, or 0 when the scan is on no key.
    @inlinable
    public var keyPage: UInt { Cursor.mapPage(of: k.baseAddress) }

    /// ``Cursor/prefetchKeyPage(previous:)`` for the scan's current key.
    @inlinable
    public func prefetchKeyPage(previous: UInt) {
        guard let key = k.baseAddress else { return }
        Cursor.prefetchPage(holding: key, previous: previous)
    }
}

extension Transaction {
    /// Runs `body` with a ``LeafScan`` over `db`, closed when `body` returns.
    /// Read transactions only (a precondition).
    @inlinable
    public func withLeafScan<R>(_ db: Database, _ body: (inout LeafScan) throws -> R) throws -> R {
        precondition(isReadOnly, "LeafScan reads the map's pages directly: read transactions only")
        var c: OpaquePointer?
        try check(mdb_cursor_open(handle, db.dbi, &c), "mdb_cursor_open", database: db.name)
        defer { mdb_cursor_close(c) }
        var flags: UInt32 = 0
        try check(mdb_dbi_flags(handle, db.dbi, &flags), "mdb_dbi_flags", database: db.name)
        var stat = MDB_stat()
        try check(mdb_env_stat(mdb_txn_env(handle), &stat), "mdb_env_stat", database: db.name)
        var scan = LeafScan(cursor: Cursor(handle: c!, database: db), pageSize: Int(stat.ms_psize),
                            direct: flags & UInt32(MDB_DUPSORT) == 0)
        return try body(&scan)
    }
}
