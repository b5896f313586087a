import CLMDB

extension Environment {
    /// Writes a consistent copy of the environment to directory `path` (which
    /// must exist and be empty) with every named database **rebuilt**: its
    /// entries put in key order with `MDB_APPEND` into a fresh environment,
    /// so that each leaf page is filled before the next one is started, and
    /// the pages lie in the file in key order. Readers and the writer keep
    /// running meanwhile (the copy reads one snapshot).
    ///
    /// Why: LMDB splits a full leaf in the middle unless the put appends, so
    /// a store that grew by inserts has leaves about half full, and its
    /// compacting copy (``copy(to:compact:)``) copies them as they are. The
    /// point-in-time benchmark's event log: 16 entries per leaf as ingested
    /// and compacted, 29 rebuilt (619,850 leaves against 344,828; 2.5 GB
    /// against 1.4 GB).
    ///
    /// Returns false, having written nothing, when a database cannot be
    /// rebuilt this way — `MDB_DUPSORT` (or another flag this wrapper never
    /// sets), or data stored in the unnamed main database; the caller then
    /// makes the compacting copy instead.
    ///
    /// ```swift
    /// if try !env.copyRepacked(to: "/backups/2025-11-15") {
    ///     try env.copy(to: "/backups/2025-11-15", compact: true)
    /// }
    /// ```
    public func copyRepacked(to path: String) throws -> Bool {
        // The databases by name, opened through the wrapper (one opener at a
        // time); then one snapshot that must list the same names (else a
        // database was created in between: list and open again).
        for _ in 0..<8 {
            let names = try read { txn in try Self.databaseNames(txn) }
            guard let names else { return false }
            var databases: [Database] = []
            for name in names {
                do { databases.append(try openDatabase(name, create: false)) }
                catch let error as LMDBError where error.code.rawValue == MDB_INCOMPATIBLE { return false }  // data, not a database
            }
            let copied = try read { txn -> Bool? in
                guard try Self.databaseNames(txn) == names else { return nil }
                for db in databases {
                    var flags: UInt32 = 0
                    try check(mdb_dbi_flags(txn.handle, db.dbi, &flags), "mdb_dbi_flags", database: db.name)
                    guard flags == 0 else { return false }
                }
                try Self.rebuild(databases, from: txn, to: path, mapSize: try info().mapSize)
                return true
            }
            if let copied { return copied }
        }
        throw LMDBError(code: MDB_BAD_TXN, function: "copyRepacked",
                        detail: "databases kept being created while the copy started; try again")
    }

    /// The names of the named databases (the main database's keys), or nil
    /// when the main database also holds plain data.
    private static func databaseNames(_ txn: borrowing Transaction) throws -> [String]? {
        var main: MDB_dbi = 0
        try check(mdb_dbi_open(txn.handle, nil, 0, &main), "mdb_dbi_open")
        var names: [String] = []
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(txn.handle, main, &cursor), "mdb_cursor_open")
        defer { mdb_cursor_close(cursor) }
        var k = MDB_val(), v = MDB_val()
        var rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST)
        while rc == 0 {
            // A named database's record is its 48-byte `MDB_db`; anything else is data
            // (and a 48-byte datum fails to open as a database: see the caller).
            guard v.mv_size == 48, let bytes = k.mv_data else { return nil }
            let name = UnsafeRawBufferPointer(start: bytes, count: k.mv_size)
            guard !name.contains(0) else { return nil }
            names.append(String(decoding: name, as: UTF8.self))
            rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)
        }
        if rc != MDB_NOTFOUND { try check(rc, "mdb_cursor_get") }
        return names
    }

    /// Puts every entry of `databases` (as `source` sees them) into a new
    /// environment at `path`, in key order with `MDB_APPEND`, committing every
    /// 64 MiB; synced once at the end.
    private static func rebuild(_ databases: [Database], from source: borrowing Transaction,
                                to path: String, mapSize: Int) throws {
        var env: OpaquePointer?
        try check(mdb_env_create(&env), "mdb_env_create")
        defer { mdb_env_close(env) }
        try check(mdb_env_set_maxdbs(env, MDB_dbi(databases.count + 1)), "mdb_env_set_maxdbs")
        try check(mdb_env_set_mapsize(env, mapSize), "mdb_env_set_mapsize")
        // No sync per commit: nothing is published before the final sync (the
        // caller renames the directory into place afterwards).
        try check(mdb_env_open(env, path, UInt32(MDB_NOSYNC), 0o644), "mdb_env_open")
        for db in databases {
            var txn: OpaquePointer?
            try check(mdb_txn_begin(env, nil, 0, &txn), "mdb_txn_begin")
            var open = true
            defer { if open { mdb_txn_abort(txn) } }
            var target: MDB_dbi = 0
            try check(mdb_dbi_open(txn, db.name, UInt32(MDB_CREATE), &target), "mdb_dbi_open", database: db.name)
            var cursor: OpaquePointer?
            try check(mdb_cursor_open(source.handle, db.dbi, &cursor), "mdb_cursor_open", database: db.name)
            defer { mdb_cursor_close(cursor) }
            var k = MDB_val(), v = MDB_val()
            var pending = 0
            var rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST)
            while rc == 0 {
                try check(mdb_put(txn, target, &k, &v, UInt32(MDB_APPEND)), "mdb_put", database: db.name)
                pending += k.mv_size + v.mv_size
                if pending >= 64 << 20 {
                    open = false
                    try check(mdb_txn_commit(txn), "mdb_txn_commit", database: db.name)
                    try check(mdb_txn_begin(env, nil, 0, &txn), "mdb_txn_begin")
                    open = true
                    pending = 0
                }
                rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)
            }
            if rc != MDB_NOTFOUND { try check(rc, "mdb_cursor_get", database: db.name) }
            open = false
            try check(mdb_txn_commit(txn), "mdb_txn_commit", database: db.name)
        }
        try check(mdb_env_sync(env, 1), "mdb_env_sync")
    }
}
