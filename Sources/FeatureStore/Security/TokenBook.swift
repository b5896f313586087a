import Crypto
import FoundationEssentials
import LMDB

/// What a token may do. Scopes are levels: `read` < `write` < `admin`
/// (a write token can also read).
public enum TokenScope: String, Codable, Sendable, CaseIterable, Comparable {
    /// Lookups, catalog, health, predict.
    case read
    /// Push, plus everything `read` allows.
    case write
    /// Everything.
    case admin

    private var level: Int {
        switch self {
        case .read: 1
        case .write: 2
        case .admin: 3
        }
    }

    public static func < (a: TokenScope, b: TokenScope) -> Bool { a.level < b.level }
}

/// The stored record of a token: never the token itself, only its SHA-256.
public struct TokenRecord: Codable, Sendable, Equatable {
    /// The first 12 hex digits of the token's SHA-256: how `list` and `revoke` name it.
    public var id: String
    public var scope: TokenScope
    /// Free text given at creation (`--name`).
    public var name: String
    public var createdAtMicros: Int64
}

/// API tokens, stored hashed in the store's `tokens` database.
///
/// A token is `fst_` followed by 64 hex digits (32 random bytes). Only its
/// SHA-256 is stored (key: the 32 digest bytes; value: a ``TokenRecord`` as
/// JSON), so a copy of the store does not leak usable tokens; the token is
/// shown once, when created.
///
/// ```swift
/// let book = try store.tokenBook()
/// let (token, record) = try book.create(scope: .read, name: "dashboard")
/// try book.authenticate(token)?.scope   // .read
/// ```
public struct TokenBook: Sendable {
    let environment: Environment
    let database: Database

    /// The prefix of every token.
    public static let prefix = "fst_"

    /// Creates a token of `scope`; returns the token (show it once) and its record.
    public func create(scope: TokenScope, name: String = "") throws -> (token: String, record: TokenRecord) {
        var g = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
        let token = Self.prefix + Self.hex(secret)
        let digest = Self.digest(token)
        let record = TokenRecord(id: String(Self.hex(digest).prefix(12)), scope: scope, name: name,
                                 createdAtMicros: Clock.nowMicros())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let value = Array(try encoder.encode(record))
        try environment.write { txn in try txn.put(digest, value, in: database) }
        return (token, record)
    }

    /// Every token's record, ordered by creation time.
    public func list() throws -> [TokenRecord] {
        let decoder = JSONDecoder()
        let records = try environment.read { txn -> [TokenRecord] in
            var out: [TokenRecord] = []
            try txn.withCursor(database) { c in
                var more = try c.first()
                while more {
                    out.append(try decoder.decode(TokenRecord.self, from: Data(c.value)))
                    more = try c.next()
                }
            }
            return out
        }
        return records.sorted { ($0.createdAtMicros, $0.id) < ($1.createdAtMicros, $1.id) }
    }

    /// Deletes the token whose id (or a unique prefix of it, at least 4 digits) is `id`.
    @discardableResult
    public func revoke(id: String) throws -> TokenRecord {
        guard id.count >= 4 else { throw FeatureStoreError.invalid("token id '\(id)' is too short (give at least 4 hex digits)") }
        let lowered = id.lowercased()
        let decoder = JSONDecoder()
        return try environment.write { txn -> TokenRecord in
            var matches: [([UInt8], TokenRecord)] = []
            try txn.withCursor(database) { c in
                var more = try c.first()
                while more {
                    let r = try decoder.decode(TokenRecord.self, from: Data(c.value))
                    if r.id.hasPrefix(lowered) { matches.append((Array(c.key), r)) }
                    more = try c.next()
                }
            }
            guard let first = matches.first else { throw FeatureStoreError.notFound("no token with id '\(id)' (see `fsctl tokens list`)") }
            guard matches.count == 1 else {
                throw FeatureStoreError.invalid("token id '\(id)' matches \(matches.count) tokens: give more digits")
            }
            _ = try txn.delete(first.0, in: database)
            return first.1
        }
    }

    /// The record of `token`, or nil when it is not (or no longer) a token of this store.
    public func authenticate(_ token: String) throws -> TokenRecord? {
        guard token.hasPrefix(Self.prefix), token.utf8.count == Self.prefix.utf8.count + 64 else { return nil }
        let digest = Self.digest(token)
        let bytes = try environment.read { txn in try txn.get(digest, in: database) }
        guard let bytes else { return nil }
        return try JSONDecoder().decode(TokenRecord.self, from: Data(bytes))
    }

    /// What a holder of an authenticated connection keeps to re-check, per
    /// request, that its token was not revoked meanwhile (by this or another
    /// process): the token's digest, never the token.
    public struct Credential: Sendable {
        let book: TokenBook
        let digest: [UInt8]
        /// The id of the token (as `fsctl tokens list` shows it).
        public var id: String { String(TokenBook.hex(digest).prefix(12)) }

        /// True while the token is in the book: one `mdb_get` in `txn`.
        public func isValid(in txn: borrowing Transaction) throws -> Bool {
            try digest.withUnsafeBytes { key in try txn.withValue(forKey: key, in: book.database) { $0 != nil } }
        }

        /// True while the token is in the book (in a read transaction of its own).
        public func isValid() throws -> Bool {
            try book.environment.read { txn in try isValid(in: txn) }
        }
    }

    /// The record of `token` and the credential to re-check it with, or nil
    /// when it is not (or no longer) a token of this store.
    public func authenticateForSession(_ token: String) throws -> (record: TokenRecord, credential: Credential)? {
        guard let record = try authenticate(token) else { return nil }
        return (record, Credential(book: self, digest: Self.digest(token)))
    }

    static func digest(_ token: String) -> [UInt8] { Array(SHA256.hash(data: Array(token.utf8))) }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let h = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes { out.append(h[Int(b >> 4)]); out.append(h[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Store {
    /// The store's tokens (opens, and when writable creates, the `tokens` database).
    public func tokenBook() throws -> TokenBook {
        let database: Database
        do {
            database = try environment.openDatabase("tokens", create: !environment.options.readOnly)
        } catch let e as LMDBError where e.code == .notFound {
            throw FeatureStoreError.notFound("\(path): the store has no tokens yet (create one with `fsctl tokens create`)")
        }
        return TokenBook(environment: environment, database: database)
    }
}
