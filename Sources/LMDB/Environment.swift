import CLMDB

/// An open LMDB environment: one directory holding `data.mdb` and `lock.mdb`.
///
/// Transactions exist only inside ``read(_:)`` and ``write(_:)`` closures: a
/// write commits when its closure returns and aborts when it throws, so a
/// transaction can never outlive its scope or cross an `await`.
///
/// Caveats first (lmdb.h's):
/// - Readers are opened with `MDB_NOTLS`, so any thread may run a read, and
///   read transactions are pooled (`mdb_txn_reset`/`mdb_txn_renew`).
/// - Only one write transaction runs at a time, across threads and processes;
///   ``write(_:)`` blocks until it gets the writer lock.
/// - When the map fills (`MDB_MAP_FULL`) the map is grown and **the write
///   closure runs again from the start**: a write closure must not have side
///   effects outside the transaction that it cannot repeat.
/// - Do not call ``write(_:)`` from inside a ``read(_:)`` closure of the same
///   thread: if the map has to grow, the write fails with `MDB_MAP_FULL`
///   (remapping must wait for that read). Likewise a read nested in another
///   read fails with `MDB_MAP_RESIZED` if another process grew the map
///   meanwhile; the next read after the outer one returns adopts it.
///
/// ```swift
/// let env = try Environment(path: "/tmp/store")
/// let db = try env.openDatabase("events")
/// try env.write { txn in try txn.put(Array("k".utf8), Array("v".utf8), in: db) }
/// let v = try env.read { txn in try txn.get(Array("k".utf8), in: db) }
/// ```
public final class Environment: @unchecked Sendable {
    /// How an environment is opened.
    public struct Options: Sendable {
        /// Initial size of the memory map in bytes. The file grows only as pages
        /// are written; the map is grown further on `MDB_MAP_FULL`.
        public var mapSize: Int = 1 << 33
        /// Upper bound for automatic map growth.
        public var maxMapSize: Int = 1 << 40
        public var maxDatabases: UInt32 = 64
        public var maxReaders: UInt32 = 510
        public var readOnly = false
        public var durability: Durability = .synchronous
        /// Disable OS read-ahead (helps random reads on databases larger than RAM).
        public var noReadAhead = false
        /// File mode for files LMDB creates.
        public var fileMode: UInt32 = 0o644
        public init() {}
    }

    /// When a committed write transaction reaches the disk.
    public enum Durability: Sendable {
        /// `fsync` at every commit: a commit that returned survives a power loss.
        case synchronous
        /// `MDB_NOMETASYNC`: data is synced, the meta page is not; a crash may
        /// lose the last transactions, never corrupt the store.
        case noMetaSync
        /// `MDB_NOSYNC`: the OS decides; a system crash (not a process crash)
        /// may lose recent transactions. Opt-in only.
        case noSync
    }

    /// What `mdb_env_info` and `mdb_env_stat` report.
    public struct Info: Sendable {
        public var mapSize: Int
        public var lastPageNumber: Int
        public var pageSize: Int
        /// The reader table's high-water mark (`me_numreaders`): how many slots
        /// have ever been claimed since the lock file was initialised. LMDB never
        /// decreases it when a slot is freed, so it bounds concurrency seen so far;
        /// it does not count slots in use now. Use ``Environment/readerSlots()``
        /// for that.
        public var readersUsed: Int
        public var maxReaders: Int
        /// Bytes of the map in use (`(lastPageNumber + 1) × pageSize`).
        public var usedBytes: Int { (lastPageNumber + 1) * pageSize }
    }

    /// The directory of the environment.
    public let path: String
    public let options: Options
    @usableFromInline let handle: OpaquePointer
    @usableFromInline let resizeLock = ReadWriteLock()
    @usableFromInline let readerPool: ReaderPool
    /// Serialises ``openDatabase(_:create:)``: mdb_dbi_open must not run in two
    /// transactions of one process at once (it claims a slot in the shared DBI
    /// table unlocked, so two threads can be handed the same handle).
    let dbiLock = Mutex()
    /// Reader slots of dead processes cleared by `mdb_reader_check` at open.
    public let staleReadersCleared: Int
    /// This open in the process-wide registry of open environments.
    private let registration: OpenEnvironments.Registration?

    /// Opens (creating if needed) the environment in directory `path`, which
    /// must exist. Clears stale reader slots left by dead processes.
    ///
    /// Throws `EBUSY` when this process already has the same directory open
    /// (LMDB forbids that): share the existing `Environment` instead.
    public init(path: String, options: Options = Options()) throws {
        let registration = try OpenEnvironments.shared.register(path)
        var env: OpaquePointer?
        let rc = mdb_env_create(&env)
        guard rc == 0, let env else {
            OpenEnvironments.shared.unregister(registration)
            throw LMDBError(code: rc == 0 ? MDB_PANIC : rc, function: "mdb_env_create")
        }
        do {
            try check(mdb_env_set_mapsize(env, options.mapSize), "mdb_env_set_mapsize")
            try check(mdb_env_set_maxdbs(env, options.maxDatabases), "mdb_env_set_maxdbs")
            try check(mdb_env_set_maxreaders(env, options.maxReaders), "mdb_env_set_maxreaders")
            var flags = UInt32(MDB_NOTLS)
            if options.readOnly { flags |= UInt32(MDB_RDONLY) }
            if options.noReadAhead { flags |= UInt32(MDB_NORDAHEAD) }
            switch options.durability {
            case .synchronous: break
            case .noMetaSync: flags |= UInt32(MDB_NOMETASYNC)
            case .noSync: flags |= UInt32(MDB_NOSYNC)
            }
            try check(mdb_env_open(env, path, flags, mdb_mode_t(options.fileMode)), "mdb_env_open")
            var dead: Int32 = 0
            try check(mdb_reader_check(env, &dead), "mdb_reader_check")
            staleReadersCleared = Int(dead)
        } catch {
            mdb_env_close(env)
            OpenEnvironments.shared.unregister(registration)
            throw error
        }
        self.registration = registration
        self.handle = env
        self.path = path
        self.options = options
        self.readerPool = ReaderPool(capacity: Int(min(options.maxReaders / 2, 64)))
    }

    deinit {
        readerPool.drain()
        mdb_env_close(handle)
        OpenEnvironments.shared.unregister(registration)
    }

    /// Opens the named database, creating it when `create` is true and the
    /// environment is writable. The handle stays valid for the environment's life.
    ///
    /// Safe from any thread (calls are serialised), but not from inside a
    /// ``read(_:)`` or ``write(_:)`` closure: open databases up front.
    public func openDatabase(_ name: String, create: Bool = true) throws -> Database {
        var dbi: MDB_dbi = 0
        dbiLock.lock()
        defer { dbiLock.unlock() }
        resizeLock.lockShared()
        defer { resizeLock.unlockShared() }
        var txn: OpaquePointer?
        let writable = !options.readOnly && create
        try check(mdb_txn_begin(handle, nil, writable ? 0 : UInt32(MDB_RDONLY), &txn), "mdb_txn_begin")
        let rc = mdb_dbi_open(txn, name, writable ? UInt32(MDB_CREATE) : 0, &dbi)
        if rc != 0 {
            mdb_txn_abort(txn)
            throw LMDBError(code: rc, function: "mdb_dbi_open", database: name)
        }
        // Commit even a read transaction: a DBI opened in an aborted one is discarded.
        try check(mdb_txn_commit(txn), "mdb_txn_commit", database: name)
        return Database(dbi: dbi, name: name)
    }

    // MARK: Transactions

    /// Runs `body` in a read-only snapshot. Values handed out inside point into
    /// the map and are valid only until `body` returns.
    @inlinable
    public func read<R>(_ body: (borrowing Transaction) throws -> R) throws -> R {
        resizeLock.lockShared()
        defer { resizeLock.unlockShared() }
        let txn = try beginRead()
        defer { endRead(txn) }
        return try body(Transaction(handle: txn, isReadOnly: true))
    }

    /// Runs `body` in the write transaction: commits when it returns, aborts
    /// when it throws. On `MDB_MAP_FULL` the map is grown and `body` re-run.
    @inlinable
    public func write<R>(_ body: (inout Transaction) throws -> R) throws -> R {
        var attempts = 0
        while true {
            attempts += 1
            resizeLock.lockShared()
            var h: OpaquePointer?
            let rc = mdb_txn_begin(handle, nil, 0, &h)
            if rc == MDB_MAP_RESIZED {
                resizeLock.unlockShared()
                try adoptResizedMap()
                continue
            }
            if rc != 0 {
                resizeLock.unlockShared()
                throw LMDBError(code: rc, function: "mdb_txn_begin")
            }
            var txn = Transaction(handle: h!, isReadOnly: false)
            let result: R
            do {
                result = try body(&txn)
            } catch {
                mdb_txn_abort(h)
                resizeLock.unlockShared()
                // At maxMapSize (or after too many rounds) the put's own error
                // surfaces: it names the operation and database that did not fit.
                if LMDBError.mapFull ~= error, attempts < 16, try growMap() {
                    continue
                }
                throw error
            }
            let commit = mdb_txn_commit(h)
            resizeLock.unlockShared()
            if commit == MDB_MAP_FULL, attempts < 16, try growMap() {
                continue
            }
            try check(commit, "mdb_txn_commit")
            return result
        }
    }

    @usableFromInline
    func beginRead() throws -> OpaquePointer {
        while true {
            if let pooled = readerPool.pop() {
                let rc = mdb_txn_renew(pooled)
                if rc == 0 { return pooled }
                mdb_txn_abort(pooled)
                if rc != MDB_MAP_RESIZED { throw LMDBError(code: rc, function: "mdb_txn_renew") }
            } else {
                var txn: OpaquePointer?
                let rc = mdb_txn_begin(handle, nil, UInt32(MDB_RDONLY), &txn)
                if rc == 0 { return txn! }
                if rc != MDB_MAP_RESIZED { throw LMDBError(code: rc, function: "mdb_txn_begin") }
            }
            // Another process grew the map: adopt its size. We hold the shared
            // lock, so swap it for the exclusive one around the resize.
            resizeLock.unlockShared()
            defer { resizeLock.lockShared() }
            try adoptResizedMap()
        }
    }

    @usableFromInline
    func endRead(_ txn: OpaquePointer) {
        mdb_txn_reset(txn)
        if !readerPool.push(txn) { mdb_txn_abort(txn) }
    }

    /// Adopts a map size another process set (`mdb_env_set_mapsize(env, 0)`).
    @usableFromInline
    func adoptResizedMap() throws {
        // Remapping waits for every shared holder, this thread's included: a
        // read nested in another read (or write) of this thread would hang.
        guard resizeLock.sharedHoldsOfThisThread == 0 else {
            throw LMDBError(
                code: MDB_MAP_RESIZED, function: "mdb_txn_begin",
                detail: "another process grew the map, and this thread is inside another read or write "
                    + "of this environment, which must return before the map can be remapped")
        }
        resizeLock.lockExclusive()
        defer { resizeLock.unlockExclusive() }
        try check(mdb_env_set_mapsize(handle, 0), "mdb_env_set_mapsize")
    }

    /// Grows the map (doubling, at least +1 MiB, capped by `options.maxMapSize`);
    /// false when it is already at the cap.
    @usableFromInline
    func growMap() throws -> Bool {
        guard resizeLock.sharedHoldsOfThisThread == 0 else {
            throw LMDBError(
                code: MDB_MAP_FULL, function: "mdb_env_set_mapsize",
                detail: "the map must grow, but this thread is inside a read of this environment "
                    + "(write called from a read closure), which must return first")
        }
        resizeLock.lockExclusive()
        defer { resizeLock.unlockExclusive() }
        var info = MDB_envinfo()
        try check(mdb_env_info(handle, &info), "mdb_env_info")
        let current = info.me_mapsize
        guard current < options.maxMapSize else { return false }
        let next = min(options.maxMapSize, max(current * 2, current + (1 << 20)))
        try check(mdb_env_set_mapsize(handle, next), "mdb_env_set_mapsize")
        return true
    }

    // MARK: Introspection and maintenance

    /// Map size, pages used, page size and reader slots.
    public func info() throws -> Info {
        var info = MDB_envinfo()
        try check(mdb_env_info(handle, &info), "mdb_env_info")
        var stat = MDB_stat()
        try check(mdb_env_stat(handle, &stat), "mdb_env_stat")
        return Info(mapSize: info.me_mapsize, lastPageNumber: info.me_last_pgno,
                    pageSize: Int(stat.ms_psize), readersUsed: Int(info.me_numreaders),
                    maxReaders: Int(info.me_maxreaders))
    }

    /// Clears reader slots of dead processes; returns how many were cleared.
    @discardableResult
    public func checkReaders() throws -> Int {
        var dead: Int32 = 0
        try check(mdb_reader_check(handle, &dead), "mdb_reader_check")
        return Int(dead)
    }

    /// Flushes to disk (useful with a relaxed ``Durability``).
    public func sync(force: Bool = true) throws {
        try check(mdb_env_sync(handle, force ? 1 : 0), "mdb_env_sync")
    }

    /// Writes a consistent copy of the environment to directory `path` (which
    /// must exist and be empty), compacting free pages when `compact` is true.
    /// Readers and the writer keep running meanwhile.
    public func copy(to path: String, compact: Bool = true) throws {
        try check(mdb_env_copy2(handle, path, compact ? UInt32(MDB_CP_COMPACT) : 0), "mdb_env_copy2")
    }
}

/// A pool of reset read transactions, so a read costs a renew instead of a
/// begin (which mallocs). Bounded, so pooled handles never exhaust reader slots.
///
/// A fixed buffer behind a mutex, not a Swift array in a class property: every
/// lookup pops and pushes once, and an array property would add dynamic
/// exclusivity checks and uniqueness checks to each (measured with callgrind:
/// about 400 instructions of a 1-entity online lookup).
@usableFromInline
final class ReaderPool: @unchecked Sendable {
    private let mutex = Mutex()
    /// `slots[0..<count.pointee]` are parked handles; guarded by `mutex`.
    private let slots: UnsafeMutablePointer<OpaquePointer?>
    private let used: UnsafeMutablePointer<Int>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        slots = .allocate(capacity: max(capacity, 1))
        slots.initialize(repeating: nil, count: max(capacity, 1))
        used = .allocate(capacity: 1)
        used.initialize(to: 0)
    }

    deinit {
        slots.deallocate()
        used.deallocate()
    }

    @usableFromInline func pop() -> OpaquePointer? {
        mutex.lock()
        defer { mutex.unlock() }
        let n = used.pointee
        guard n > 0 else { return nil }
        used.pointee = n - 1
        return slots[n - 1]
    }

    /// Handles parked now (each holds a reader slot, no snapshot).
    var count: Int { mutex.withLock { used.pointee } }

    /// Returns false when the pool is full (the caller aborts the handle).
    @usableFromInline func push(_ txn: OpaquePointer) -> Bool {
        mutex.lock()
        defer { mutex.unlock() }
        let n = used.pointee
        guard n < capacity else { return false }
        slots[n] = txn
        used.pointee = n + 1
        return true
    }

    func drain() {
        let all: [OpaquePointer] = mutex.withLock {
            defer { used.pointee = 0 }
            return (0..<used.pointee).compactMap { slots[$0] }
        }
        for txn in all { mdb_txn_abort(txn) }
    }
}
