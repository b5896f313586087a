import Foundation
import Testing

@testable import LMDB

// MARK: Temporary environments with a reader-slot check at teardown

extension Environment.Options {
    /// Small map, synchronous commits (LMDB's defaults otherwise).
    static func test(mapSize: Int = 1 << 24, durability: Environment.Durability = .synchronous) -> Self {
        var o = Environment.Options()
        o.mapSize = mapSize
        o.durability = durability
        return o
    }
}

/// A fresh, uniquely named directory under /tmp.
func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/lmdbtests-XXXXXX".utf8CString)
    guard let p = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        fatalError("mkdtemp: \(String(cString: strerror(errno)))")
    }
    return String(cString: p)
}

func removeDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// Checks that no read transaction of this process is still open on `env`.
///
/// What "back to baseline" means: the environment uses `MDB_NOTLS`, so a read
/// transaction owns its reader slot until it is *aborted*. After a read, the
/// wrapper *resets* the transaction (its snapshot is released, `txnid` shows as
/// `-`) and parks it in a bounded pool for reuse; the parked handle keeps its
/// slot. The baseline is therefore "this process holds exactly as many slots as
/// the pool has parked handles, none of them pins a snapshot, and the pool is
/// within its capacity". `info().readersUsed` cannot serve here: it is LMDB's
/// high-water mark and never goes down.
func expectNoReaderLeft(_ env: Environment, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let slots = try env.readerSlots()
    #expect(slots.activeInThisProcess == 0, "a read transaction is still open: \(slots)",
            sourceLocation: sourceLocation)
    #expect(slots.heldByThisProcess == slots.pooled, "reader slots held beyond the pool: \(slots)",
            sourceLocation: sourceLocation)
    #expect(slots.pooled <= env.readerPool.capacity, sourceLocation: sourceLocation)
}

/// Opens an environment in its own temporary directory, runs `body`, checks
/// reader-slot hygiene, closes the environment and removes the directory.
func withEnvironment<R>(
    _ options: Environment.Options = .test(),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (Environment, String) throws -> R
) throws -> R {
    let dir = makeTemporaryDirectory()
    defer { removeDirectory(dir) }
    let env = try Environment(path: dir, options: options)
    let result = try body(env, dir)
    try expectNoReaderLeft(env, sourceLocation: sourceLocation)
    return result
}

/// `withEnvironment` for async bodies.
func withEnvironment<R>(
    _ options: Environment.Options = .test(),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (Environment, String) async throws -> R
) async throws -> R {
    let dir = makeTemporaryDirectory()
    defer { removeDirectory(dir) }
    let env = try Environment(path: dir, options: options)
    let result = try await body(env, dir)
    try expectNoReaderLeft(env, sourceLocation: sourceLocation)
    return result
}

// MARK: Bytes and deterministic randomness

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Big-endian, so memcmp order is numeric order.
func be64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }

func decodeBE64(_ b: UnsafeRawBufferPointer) -> UInt64 {
    precondition(b.count >= 8)
    var v: UInt64 = 0
    for i in 0..<8 { v = v << 8 | UInt64(b[i]) }
    return v
}

/// `count` bytes of a pattern derived from `seed` (so a reader can verify them).
/// Sliced from one precomputed buffer: debug builds are slow at generating bytes.
func pattern(_ count: Int, seed: UInt8) -> [UInt8] {
    precondition(count <= patternSource.count - 256)
    let start = Int(seed)
    return Array(patternSource[start..<(start + count)])
}

/// Bytes that do not repeat with period 256, so slices at different seeds differ.
private let patternSource: [UInt8] = {
    var out = [UInt8](repeating: 0, count: (1 << 20) + 512)
    out.withUnsafeMutableBufferPointer { b in
        for i in b.indices { b[i] = UInt8(truncatingIfNeeded: i &* 31 &+ i >> 9) }
    }
    return out
}()

/// A lock-protected value shared between threads in a test.
final class Shared<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
    var current: Value { withLock { $0 } }
}

/// Runs `count` bodies on their own threads (real threads, not a pool that
/// might run them one after another) and joins them all. Joining matters: a
/// thread that still holds the last reference to an Environment after this
/// returns would close it late — after the test removed the directory, or
/// while a later test has the same path open (LMDB forbids that in one process).
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    final class Job { let run: () -> Void; init(_ run: @escaping () -> Void) { self.run = run } }
    var threads: [pthread_t] = []
    for i in 0..<count {
        let job = Unmanaged.passRetained(Job { body(i) }).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { arg in
            Unmanaged<Job>.fromOpaque(arg!).takeRetainedValue().run()
            return nil
        }, job)
        precondition(rc == 0, "pthread_create: \(rc)")
        threads.append(thread)
    }
    for thread in threads { pthread_join(thread, nil) }
}
