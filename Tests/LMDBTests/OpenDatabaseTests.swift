import Foundation
import Testing

@testable import LMDB
import TestSupport

/// `openDatabase` from many threads at once. LMDB requires that mdb_dbi_open
/// never runs in two transactions of one process at the same time.
@Suite struct OpenDatabaseTests {
    static let names = (0..<150).map { "db-\($0)" }

    static func options(readOnly: Bool = false) -> Environment.Options {
        var o = Environment.Options.test(durability: .noSync)
        o.maxDatabases = 200
        o.readOnly = readOnly
        return o
    }

    /// Returns how many opens failed or handed back a handle to another database.
    static func openAllFromThreads(_ env: Environment, create: Bool, seed: Int) throws -> Int {
        let wrong = Shared(0)
        onThreads(8) { t in
            var rng = SeededRandom(seed: UInt64(t + 8 * seed))
            for name in names.shuffled(using: &rng) {
                do {
                    let db = try env.openDatabase(name, create: create)
                    let value = try env.read { try $0.get(bytes("name"), in: db) }
                    if value != bytes(name) { wrong.withLock { $0 += 1 } }
                } catch {
                    wrong.withLock { $0 += 1 }
                }
            }
        }
        return wrong.current
    }

    static func populate(_ dir: String) throws {
        let env = try Environment(path: dir, options: options())
        for name in names {
            let db = try env.openDatabase(name)
            try env.write { txn in try txn.put(bytes("name"), bytes(name), in: db) }
        }
    }

    /// Before openDatabase was serialised this handed out wrong handles (a
    /// handle for "db-65" that read "db-101") in a few of every thousand opens.
    /// The race window is short, so: 150 databases, 8 threads, 20 fresh opens.
    @Test func concurrentOpensOfExistingDatabasesInAReadOnlyEnvironment() throws {
        let dir = makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        try Self.populate(dir)
        for round in 0..<20 {
            let env = try Environment(path: dir, options: Self.options(readOnly: true))
            #expect(try Self.openAllFromThreads(env, create: false, seed: round) == 0)
            try expectNoReaderLeft(env)
        }
    }

    @Test func concurrentOpensWithoutCreateInAWritableEnvironment() throws {
        let dir = makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        try Self.populate(dir)
        for round in 0..<5 {
            let env = try Environment(path: dir, options: Self.options())
            #expect(try Self.openAllFromThreads(env, create: false, seed: round) == 0)
            try expectNoReaderLeft(env)
        }
    }

    @Test func concurrentCreates() throws {
        try withEnvironment(Self.options()) { env, _ throws in
            let failures = Shared(0)
            onThreads(8) { t in
                for i in 0..<8 {
                    do {
                        let name = "t\(t)-\(i)"
                        let db = try env.openDatabase(name)
                        try env.write { txn in try txn.put(bytes("name"), bytes(name), in: db) }
                        if try env.read({ try $0.get(bytes("name"), in: db) }) != bytes(name) {
                            failures.withLock { $0 += 1 }
                        }
                    } catch {
                        failures.withLock { $0 += 1 }
                    }
                }
            }
            #expect(failures.current == 0)
        }
    }
}
