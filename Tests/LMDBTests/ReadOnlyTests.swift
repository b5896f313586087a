import Foundation
import Testing

@testable import LMDB

/// An existing environment opened with `readOnly`.
@Suite struct ReadOnlyTests {
    /// Creates an environment with one database, closes it, reopens it read-only.
    static func withReadOnlyEnvironment(_ body: (Environment) throws -> Void) throws {
        let dir = makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        do {
            let env = try Environment(path: dir, options: .test())
            let db = try env.openDatabase("data")
            try env.write { txn in
                for i: UInt64 in 0..<100 { try txn.put(be64(i), be64(i * i), in: db) }
            }
        }  // closed here
        var options = Environment.Options.test()
        options.readOnly = true
        let env = try Environment(path: dir, options: options)
        try body(env)
        try expectNoReaderLeft(env)
    }

    @Test func readsWork() throws {
        try Self.withReadOnlyEnvironment { env in
            let db = try env.openDatabase("data")
            try env.read { txn throws in
                #expect(try txn.stat(db).entries == 100)
                #expect(try txn.get(be64(12), in: db) == be64(144))
            }
            #expect(try env.openDatabase("data", create: false) == db)
        }
    }

    @Test func openingAnAbsentDatabaseIsNotFoundNamingIt() throws {
        try Self.withReadOnlyEnvironment { env in
            for create in [false, true] {  // create is moot when read-only
                let error = #expect(throws: LMDBError.self) { try env.openDatabase("absent", create: create) }
                #expect(error?.code == .notFound)
                #expect(error?.function == "mdb_dbi_open")
                #expect(error?.database == "absent")
                #expect(error.map(String.init(describing:))?.contains("'absent'") == true)
            }
        }
    }

    @Test func writesFailWithPermissionDenied() throws {
        try Self.withReadOnlyEnvironment { env in
            let db = try env.openDatabase("data")
            var ran = false
            let error = #expect(throws: LMDBError.self) {
                try env.write { txn in
                    ran = true
                    try txn.put(bytes("k"), bytes("v"), in: db)
                }
            }
            #expect(!ran)
            #expect(error?.code.rawValue == EACCES)
            #expect(error?.function == "mdb_txn_begin")
            #expect(error?.message == "Permission denied")
        }
    }
}
