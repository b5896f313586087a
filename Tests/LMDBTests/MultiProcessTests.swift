import CLMDB
import Testing

@testable import LMDB

#if canImport(Glibc)
import Glibc
#endif

// Another process on the same environment, made with fork(). LMDB forbids
// opening one environment twice in one process (closing either copy drops the
// process's fcntl locks on the lock file), so "another process" has to be one.
//
// Why fork is acceptable here: the child runs only liblmdb and libc calls on
// memory prepared before the fork (C strings, pipe descriptors), never returns
// into Swift Testing, and ends with _exit. glibc makes malloc usable after
// fork; nothing in the child needs a lock that another test thread could have
// been holding (no Swift runtime allocation, no Dispatch, no Foundation). The
// parent only uses the child's pid and pipe. If the toolchain or platform
// changes that, these tests are the ones to disable.

/// A forked child process running `body` (C calls only), ending with its result.
struct Child {
    let pid: pid_t
    /// Read end of a pipe the child writes one byte to when it is ready.
    let ready: Int32

    init(_ body: (_ readyFD: Int32) -> Int32) {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        let pid = fork()
        precondition(pid >= 0, "fork failed")
        if pid == 0 {
            close(fds[0])
            _exit(body(fds[1]))
        }
        close(fds[1])
        self.pid = pid
        self.ready = fds[0]
    }

    /// Waits (up to 10 s) for the child's ready byte; false if it exited or hung.
    func waitUntilReady() -> Bool {
        var p = pollfd(fd: ready, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 10_000) == 1 else { return false }
        var byte: UInt8 = 0
        return read(ready, &byte, 1) == 1
    }

    /// Exit code, or -signal when killed. Reaps the child.
    @discardableResult
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        close(ready)
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : -signal
    }

    @discardableResult
    func kill() -> Int32 {
        _ = Glibc.kill(pid, SIGKILL)
        return wait()
    }
}

/// Child side, C only: opens the environment at `path` with `mapSize`, writes
/// `count` values of `valueSize` bytes (byte = key & 0xff) under 8-byte
/// big-endian keys into database `name`, commits and closes.
func childWrite(path: UnsafePointer<CChar>, name: UnsafePointer<CChar>, mapSize: Int,
                count: Int, valueSize: Int) -> Int32 {
    var env: OpaquePointer?
    guard mdb_env_create(&env) == 0 else { return 10 }
    guard mdb_env_set_mapsize(env, mapSize) == 0, mdb_env_set_maxdbs(env, 8) == 0 else { return 11 }
    guard mdb_env_open(env, path, UInt32(MDB_NOTLS), 0o644) == 0 else { return 12 }
    var txn: OpaquePointer?
    guard mdb_txn_begin(env, nil, 0, &txn) == 0 else { return 13 }
    var dbi: MDB_dbi = 0
    guard mdb_dbi_open(txn, name, UInt32(MDB_CREATE), &dbi) == 0 else { return 14 }
    for i in 0..<count {
        var keyBytes = UInt64(i).bigEndian
        let rc = withUnsafeMutableBytes(of: &keyBytes) { key -> Int32 in
            var k = MDB_val(mv_size: 8, mv_data: key.baseAddress)
            var v = MDB_val(mv_size: valueSize, mv_data: nil)
            let rc = mdb_put(txn, dbi, &k, &v, UInt32(MDB_RESERVE))
            if rc == 0 { memset(v.mv_data, Int32(i & 0xff), valueSize) }
            return rc
        }
        guard rc == 0 else { return 15 }
    }
    guard mdb_txn_commit(txn) == 0 else { return 16 }
    mdb_env_close(env)
    return 0
}

/// Child side, C only: opens the environment, optionally begins a read
/// transaction, signals readiness and sleeps until killed.
func childHold(path: UnsafePointer<CChar>, readTransaction: Bool, ready: Int32) -> Int32 {
    var env: OpaquePointer?
    guard mdb_env_create(&env) == 0, mdb_env_set_maxdbs(env, 8) == 0 else { return 10 }
    guard mdb_env_open(env, path, UInt32(MDB_NOTLS), 0o644) == 0 else { return 12 }
    if readTransaction {
        var txn: OpaquePointer?
        guard mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn) == 0 else { return 13 }
    }
    var byte: UInt8 = 1
    guard write(ready, &byte, 1) == 1 else { return 17 }
    while true { pause() }
}

@Suite(.serialized) struct MultiProcessTests {
    static let childMapSize = 16 << 20
    static let childCount = 1000  // × 4 KiB ≈ 4 MiB, far beyond the parent's 256 KiB map

    static func parentOptions() -> Environment.Options {
        .test(mapSize: 256 << 10, durability: .noSync)
    }

    /// The parent holds a small map; a child grows the file far beyond it.
    static func growInChild(_ dir: String) throws {
        let path = strdup(dir)!, name = strdup("data")!
        defer { free(path); free(name) }
        let child = Child { _ in
            childWrite(path: path, name: name, mapSize: childMapSize, count: childCount, valueSize: 4096)
        }
        try #require(child.wait() == 0, "child failed")
    }

    static func expectChildData(_ env: Environment, _ db: Database) throws {
        try env.read { txn throws in
            #expect(try txn.stat(db).entries >= childCount)
            for i in stride(from: 0, to: childCount, by: 97) {
                let value = try txn.get(be64(UInt64(i)), in: db)
                #expect(value == [UInt8](repeating: UInt8(i & 0xff), count: 4096))
            }
        }
    }

    @Test func aReadAdoptsAMapGrownByAnotherProcess() throws {
        try withEnvironment(Self.parentOptions()) { env, dir throws in
            let db = try env.openDatabase("data")
            try env.write { txn in try txn.put(bytes("parent"), bytes("1"), in: db) }
            _ = try env.read { try $0.get(bytes("parent"), in: db) }  // park a reader in the pool

            try Self.growInChild(dir)
            #expect(try env.info().mapSize == 256 << 10)  // not adopted yet

            try Self.expectChildData(env, db)  // MDB_MAP_RESIZED on renew → adopt → retry
            #expect(try env.info().mapSize == Self.childMapSize)
            try env.write { txn in try txn.put(bytes("after"), bytes("2"), in: db) }
            #expect(try env.read { try $0.get(bytes("after"), in: db) } == bytes("2"))
        }
    }

    @Test func aWriteAdoptsAMapGrownByAnotherProcess() throws {
        try withEnvironment(Self.parentOptions()) { env, dir throws in
            let db = try env.openDatabase("data")
            try env.write { txn in try txn.put(bytes("parent"), bytes("1"), in: db) }

            try Self.growInChild(dir)
            // The write's own mdb_txn_begin gets MDB_MAP_RESIZED first.
            try env.write { txn in try txn.put(bytes("after"), bytes("2"), in: db) }
            #expect(try env.info().mapSize == Self.childMapSize)
            try Self.expectChildData(env, db)
        }
    }

    /// Used to hang forever: the inner read gave up its own shared hold and
    /// waited for the exclusive lock, which the outer read on the same thread
    /// kept. Now it fails, and the next read after the outer one adopts.
    @Test func aNestedReadAfterAForeignResizeFailsInsteadOfHanging() throws {
        try withEnvironment(Self.parentOptions()) { env, dir throws in
            let db = try env.openDatabase("data")
            try env.write { txn in try txn.put(bytes("parent"), bytes("1"), in: db) }
            let inner: LMDBError? = try env.read { outer in
                _ = try outer.get(bytes("parent"), in: db)
                try Self.growInChild(dir)
                do {
                    _ = try env.read { try $0.get(be64(5), in: db) }
                    return nil
                } catch let error as LMDBError {
                    return error
                }
            }
            #expect(inner?.code == .mapResized)
            #expect(inner?.detail?.contains("inside another read or write") == true)
            try Self.expectChildData(env, db)  // adopts now
            #expect(try env.info().mapSize == Self.childMapSize)
        }
    }

    @Test func checkReadersClearsTheSlotOfAKilledReader() throws {
        try withEnvironment(Self.parentOptions()) { env, dir throws in
            let db = try env.openDatabase("data")
            try env.write { txn in try txn.put(bytes("k"), bytes("v"), in: db) }
            let path = strdup(dir)!
            defer { free(path) }
            let child = Child { ready in childHold(path: path, readTransaction: true, ready: ready) }
            guard child.waitUntilReady() else {
                Issue.record("child did not get ready: exit \(child.kill())")
                return
            }
            var slots = try env.readerSlots()
            #expect(slots.held == slots.heldByThisProcess + 1)
            #expect(slots.active == 1)  // the child's snapshot
            #expect(child.kill() == -SIGKILL)

            // Dead but not yet cleared: the slot still pins its snapshot.
            slots = try env.readerSlots()
            #expect(slots.held == slots.heldByThisProcess + 1)
            #expect(try env.checkReaders() == 1)
            slots = try env.readerSlots()
            #expect(slots.held == slots.heldByThisProcess)
            #expect(slots.active == 0)
            #expect(try env.checkReaders() == 0)
        }
    }

    @Test func openingClearsStaleReadersAndReportsThem() throws {
        let dir = makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let path = strdup(dir)!
        defer { free(path) }
        // A keeper keeps the environment open, so the lock file's reader table
        // survives (the first opener of an unused lock file resets it).
        let keeper = Child { ready in childHold(path: path, readTransaction: false, ready: ready) }
        defer { keeper.kill() }
        try #require(keeper.waitUntilReady())
        let reader = Child { ready in childHold(path: path, readTransaction: true, ready: ready) }
        try #require(reader.waitUntilReady())
        #expect(reader.kill() == -SIGKILL)

        let env = try Environment(path: dir, options: Self.parentOptions())
        #expect(env.staleReadersCleared == 1)
        #expect(try env.readerSlots().held == 0)
        #expect(try env.checkReaders() == 0)
        try expectNoReaderLeft(env)
    }
}
