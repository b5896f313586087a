import Testing

@testable import LMDB

/// ``Environment/copyRepacked(to:)``: the copy holds exactly the source's
/// databases and entries (values on overflow pages, an empty database), in
/// fewer leaf pages than a store grown by random puts.
@Suite struct RepackTests {
    @Test func theCopyHoldsEveryEntryInFullerPages() throws {
        try withEnvironment(.test(mapSize: 1 << 27)) { env, _ in
            // Random-order puts: LMDB splits full leaves in the middle.
            let entries = LeafScanTests.seededEntries(count: 8000, seed: 31)
            let data = try LeafScanTests.load(env, entries)
            let small = try env.openDatabase("small")
            let empty = try env.openDatabase("empty")
            try env.write { txn in
                for i in stride(from: 50, through: 1, by: -1) { try txn.put(be64(UInt64(i)), bytes("v\(i)"), in: small) }
            }
            let dir = makeTemporaryDirectory()
            defer { removeDirectory(dir) }
            #expect(try env.copyRepacked(to: dir))

            let copy = try Environment(path: dir, options: .test(mapSize: 1 << 27))
            for name in ["data", "small", "empty"] {
                let original = try env.openDatabase(name, create: false)
                let copied = try copy.openDatabase(name, create: false)
                let a = try env.read { txn in try Self.all(txn, original) }
                let b = try copy.read { txn in try Self.all(txn, copied) }
                #expect(a == b, "database \(name)")
            }
            #expect(try copy.read { txn in try Self.all(txn, try copy.openDatabase("small", create: false)) }.count == 50)
            let sourceLeaves = try env.read { try $0.stat(data).leafPages }
            let copiedLeaves = try copy.read { try $0.stat(try copy.openDatabase("data", create: false)).leafPages }
            #expect(copiedLeaves * 4 < sourceLeaves * 3, "\(copiedLeaves) leaves in the copy, \(sourceLeaves) in the source")
            _ = empty
            try expectNoReaderLeft(copy)
        }
    }

    static func all(_ txn: borrowing Transaction, _ db: Database) throws -> [[UInt8]] {
        try txn.withCursor(db) { c in
            var out: [[UInt8]] = []
            var more = try c.first()
            while more { out.append(Array(c.key) + [0xFF] + Array(c.value)); more = try c.next() }
            return out
        }
    }
}
