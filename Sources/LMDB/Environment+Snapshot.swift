import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Environment {
    /// Runs `body` with `count` read transactions that all see **the same
    /// snapshot**, so that several threads can read one consistent state in
    /// parallel (a transaction is used by one thread at a time; two threads
    /// need two transactions).
    ///
    /// LMDB gives each new read transaction the newest committed state, so
    /// transactions begun one after another may differ when a writer commits
    /// in between. They are begun back to back and compared by
    /// `mdb_txn_id`; on a difference all are aborted and begun again (a
    /// commit takes far longer than beginning a few readers, so one retry is
    /// the realistic worst case; after 1000 the call fails). Each holds a
    /// reader slot until `body` returns. Values read through any of them stay
    /// valid until `body` returns, and may be read on any thread meanwhile.
    ///
    /// ```swift
    /// try env.read(transactions: 2) { snapshot in
    ///     let other = Thread { snapshot.withTransaction(1) { txn in scanSecondHalf(txn) } }
    ///     try snapshot.withTransaction(0) { txn in try scanFirstHalf(txn) }
    /// }
    /// ```
    ///
    /// As with ``read(_:)``, do not call ``write(_:)`` from inside `body` on
    /// the same thread.
    public func read<R>(transactions count: Int, _ body: (ReadSnapshot) throws -> R) throws -> R {
        precondition(count >= 1, "read(transactions:) needs at least one transaction")
        resizeLock.lockShared()
        defer { resizeLock.unlockShared() }
        var handles: [OpaquePointer] = []
        defer { for h in handles { mdb_txn_abort(h) } }
        var attempt = 0
        while handles.count < count {
            var txn: OpaquePointer?
            let rc = mdb_txn_begin(handle, nil, UInt32(MDB_RDONLY), &txn)
            if rc == MDB_MAP_RESIZED {
                // Another process grew the map: drop ours, adopt the size, start over.
                for h in handles { mdb_txn_abort(h) }
                handles.removeAll()
                resizeLock.unlockShared()
                defer { resizeLock.lockShared() }
                try adoptResizedMap()
                continue
            }
            try check(rc, "mdb_txn_begin")
            handles.append(txn!)
            if handles.count > 1, mdb_txn_id(txn) != mdb_txn_id(handles[0]) {
                // A commit landed between two begins.
                attempt += 1
                for h in handles { mdb_txn_abort(h) }
                handles.removeAll()
                if attempt == 1000 {
                    throw LMDBError(code: MDB_BAD_TXN, function: "mdb_txn_begin",
                                    detail: "could not begin \(count) read transactions on one snapshot in 1000 attempts (commits too frequent)")
                }
            }
        }
        let snapshot = ReadSnapshot(handles: handles, environment: self)
        defer { snapshot.close() }
        return try body(snapshot)
    }

    /// Drops this process's page-table mappings of the whole memory map
    /// (`madvise(MADV_DONTNEED)` over the used part of the map), so that the
    /// pages stop counting in the process's resident set (RSS). The data is
    /// not lost or copied: LMDB maps its file shared, the pages stay in the
    /// page cache, and the next access to any of them maps it again (a minor
    /// fault). Pointers into the map stay valid.
    ///
    /// For long sequential scans of large databases: pages already read and
    /// not needed again would otherwise stay mapped until the environment is
    /// closed, making RSS grow by the size of everything read. Each call costs
    /// a walk of the mapped pages and later a fault for every page read again
    /// (branch pages, mostly), so call it every some hundred MB of reading,
    /// not per page.
    public func releaseMappedPages() throws {
        var info = MDB_envinfo()
        try check(mdb_env_info(handle, &info), "mdb_env_info")
        var stat = MDB_stat()
        try check(mdb_env_stat(handle, &stat), "mdb_env_stat")
        guard let map = try mappedRange() else { return }
        let used = min((info.me_last_pgno + 1) * Int(stat.ms_psize), map.count)
        guard madvise(map.base, used, MADV_DONTNEED) == 0 else {
            throw LMDBError(code: errno, function: "madvise(MADV_DONTNEED)")
        }
    }

    /// Where the data file is mapped in this process: LMDB does not say
    /// (`mdb_env_info`'s `me_mapaddr` is only set with `MDB_FIXEDMAP`), so
    /// the mapping of the data file's inode at offset 0 is looked up in
    /// /proc/self/maps. Nil when not found (or not on Linux).
    func mappedRange() throws -> (base: UnsafeMutableRawPointer, count: Int)? {
        #if os(Linux)
        var fd: Int32 = -1
        try check(mdb_env_get_fd(handle, &fd), "mdb_env_get_fd")
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw LMDBError(code: errno, function: "fstat") }
        // "major:minor" in hex, as /proc/self/maps writes st_dev (glibc's encoding).
        let dev = UInt64(st.st_dev)
        let major = ((dev >> 8) & 0xFFF) | ((dev >> 32) & ~0xFFF)
        let minor = (dev & 0xFF) | ((dev >> 12) & ~0xFF)
        func hex2(_ v: UInt64) -> String { let h = String(v, radix: 16); return h.count < 2 ? "0" + h : h }
        let device = hex2(major) + ":" + hex2(minor)
        guard let file = fopen("/proc/self/maps", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), file) != nil {
            // start-end perms offset dev inode path
            let text = String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let parts = text.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 6, UInt64(parts[4]) == UInt64(st.st_ino), UInt64(parts[2], radix: 16) == 0,
                  parts[3] == device else { continue }
            let bounds = parts[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                  end > start, let base = UnsafeMutableRawPointer(bitPattern: start) else { continue }
            return (base, Int(end - start))
        }
        #endif
        return nil
    }
}

/// Read transactions of one snapshot, from ``Environment/read(transactions:_:)``.
/// Valid only inside that call's closure.
public final class ReadSnapshot: @unchecked Sendable {
    private let handles: [OpaquePointer]
    private var isOpen = true
    private let environment: Environment
    /// The data file's mapping, looked up on first use: it cannot move while
    /// the snapshot lives (``Environment/read(transactions:_:)`` holds the
    /// resize lock shared for that long).
    private var map: (base: UInt, count: Int)??
    private let mapLock = Mutex()

    /// How many transactions the snapshot has.
    public var count: Int { handles.count }

    /// The snapshot's transaction id (`mdb_txn_id`): the last committed write
    /// transaction it sees.
    public var id: Int { Int(mdb_txn_id(handles[0])) }

    init(handles: [OpaquePointer], environment: Environment) {
        self.handles = handles
        self.environment = environment
    }

    func close() { isOpen = false }

    /// Runs `body` with transaction `index` (0 ..< ``count``). Any thread may
    /// call this, but never two at the same time with the same index.
    public func withTransaction<R>(_ index: Int, _ body: (borrowing Transaction) throws -> R) rethrows -> R {
        precondition(isOpen, "ReadSnapshot used after read(transactions:) returned")
        return try body(Transaction(handle: handles[index], isReadOnly: true))
    }

    /// Drops this process's page-table mappings of the memory-map pages
    /// `pages` (page numbers of 4 KiB, as ``Cursor/keyPage`` gives them),
    /// clamped to the data file's mapping: ``Environment/releaseMappedPages()``
    /// for only the part of the map a scan walked since its last release.
    /// Pages outside the map are never touched; other threads' pages outside
    /// `pages` stay mapped (the whole-map release made them fault again).
    /// Any thread may call it while the snapshot is open.
    public func releaseMappedPages(_ pages: ClosedRange<UInt>) throws {
        precondition(isOpen, "ReadSnapshot used after read(transactions:) returned")
        let map: (base: UInt, count: Int)? = try mapLock.withLock {
            if let known = self.map { return known }
            let found = try environment.mappedRange().map { (UInt(bitPattern: $0.base), $0.count) }
            self.map = .some(found)
            return found
        }
        guard let map else { return }
        let page = UInt(Cursor.prefetchedPageBytes)
        let low = max(pages.lowerBound * page, map.base)
        let high = min((pages.upperBound + 1) * page, map.base + UInt(map.count))
        guard low < high, let start = UnsafeMutableRawPointer(bitPattern: low) else { return }
        guard madvise(start, Int(high - low), MADV_DONTNEED) == 0 else {
            throw LMDBError(code: errno, function: "madvise(MADV_DONTNEED)")
        }
    }
}
