import LMDB
import Tabular

/// What a checked lookup (``OnlineQuery/read(entities:at:into:requiring:)``) found.
public enum CheckedLookup: Equatable, Sendable {
    /// The checks passed and the lookup ran.
    case done
    /// The catalog changed since the query was prepared (its generation is now
    /// this): nothing was read; prepare the query again.
    case catalogChanged(UInt64)
    /// The token is no longer in the store's token book: nothing was read.
    case tokenRevoked
}

/// What a checked lookup verified, and at which snapshot: a connection keeps
/// one, so that while no write committed (the snapshot's transaction id did
/// not move) its lookups skip the two `mdb_get`s of the checks.
public struct LookupChecks: Sendable {
    /// The snapshot (``LMDB/Transaction/id``) the fields below were read at; -1: none yet.
    var snapshot = -1
    var catalogGeneration: UInt64 = 0
    /// The digest the token check was made for, and its outcome.
    var tokenDigest: [UInt8]? = nil
    var tokenValid = false
    /// Nothing verified yet.
    public init() {}
}

extension OnlineQuery {
    /// Looks up `entities` into `result` (as ``read(entities:at:into:)``) only
    /// if, in the lookup's own read transaction, the catalog generation is
    /// still ``catalogGeneration`` and `token` (when given) is still valid.
    ///
    /// A long-lived server checks both for every request at the price of two
    /// `mdb_get`s in a transaction it opens anyway, instead of a read
    /// transaction per check, and none at all while the snapshot is the one
    /// `checks` verified last (no write committed since). The answer is
    /// consistent with the catalog the query was prepared from.
    ///
    /// ```swift
    /// var checks = LookupChecks()
    /// switch try query.read(entities: rows, at: nil, into: &result, requiring: credential, checks: &checks) {
    /// case .done: send(result)
    /// case .catalogChanged: query = try store.onlineQuery(refs: refs)   // and read again
    /// case .tokenRevoked: close()
    /// }
    /// ```
    public func read(entities: [[Value]], at: Int64?, into result: inout OnlineFeatures,
                     requiring token: TokenBook.Credential?, checks: inout LookupChecks) throws -> CheckedLookup {
        let expected = catalogGeneration
        let store = self.store
        return try read(entities: entities, at: at, into: &result) { txn in
            let snapshot = txn.id
            if snapshot != checks.snapshot {
                checks = LookupChecks()
                checks.catalogGeneration = try store.catalogGeneration(txn)
                checks.snapshot = snapshot
            }
            if checks.catalogGeneration != expected { return .catalogChanged(checks.catalogGeneration) }
            if let token {
                if checks.tokenDigest != token.digest {
                    checks.tokenValid = try token.isValid(in: txn)
                    checks.tokenDigest = token.digest
                }
                if !checks.tokenValid { return .tokenRevoked }
            }
            return .done
        }
    }
}
