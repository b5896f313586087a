import FeatureServer
import FeatureStore
import Foundation
import Tabular
import WireProtocol
import FeatureClient

/// A temporary store with the fixture's catalog and events, served in-process
/// by a ``FeatureServer`` on an ephemeral loopback port; drained and deleted at deinit.
///
/// The store is set up (and `oracle` run on it) before the server opens it:
/// LMDB forbids one process opening an environment twice.
final class ServedStore<Oracle>: @unchecked Sendable {
    let dir: String
    let server: FeatureServer
    /// Tokens made before the server started, by scope.
    let tokens: [TokenScope: String]
    /// What `oracle` computed on the store.
    let oracle: Oracle
    var port: Int { server.port }

    init(tokens scopes: [TokenScope] = [], configure: (inout ServerConfiguration) -> Void = { _ in },
         oracle compute: (Store) throws -> Oracle) throws {
        var template = Array((NSTemporaryDirectory() + "/fsclient-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        dir = String(cString: made)
        let path = dir + "/store"
        var madeTokens: [TokenScope: String] = [:]
        do {
            let store = try Store.create(at: path)
            try Fixture.definitions.write(toFile: dir + "/features.yaml", atomically: true, encoding: .utf8)
            _ = try store.apply(definitionsFile: dir + "/features.yaml")
            try Fixture.userStats.write(toFile: dir + "/user_stats.csv", atomically: true, encoding: .utf8)
            try Fixture.deviceUser.write(toFile: dir + "/device_user.csv", atomically: true, encoding: .utf8)
            var options = IngestOptions()
            options.destination = .both
            _ = try store.ingest(table: "user_stats", files: [dir + "/user_stats.csv"], options: options)
            _ = try store.ingest(table: "device_user", files: [dir + "/device_user.csv"], options: options)
            for scope in scopes { madeTokens[scope] = try store.tokenBook().create(scope: scope, name: scope.rawValue).token }
            oracle = try compute(store)
        }
        tokens = madeTokens
        var config = ServerConfiguration(storePath: path)
        config.port = 0
        config.threads = 2
        configure(&config)
        server = try FeatureServer.start(config)
    }

    deinit {
        server.drain()
        server.waitUntilStopped()
        try? FileManager.default.removeItem(atPath: dir)
    }
}

extension ServedStore where Oracle == Void {
    convenience init(tokens scopes: [TokenScope] = [], configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        try self.init(tokens: scopes, configure: configure, oracle: { _ in () })
    }
}

/// The catalog and events the client tests look up: every value type, a
/// table keyed by two entities (int64 and string join keys), a service.
enum Fixture {
    static let definitions = """
        entities:
          - name: user
            join_keys:
              - {name: user_id, type: int64}
          - name: device
            join_keys:
              - {name: device_id, type: string}

        feature_tables:
          - name: user_stats
            entities: [user]
            ttl: 2d
            features:
              - {name: age, type: float64}
              - {name: visits, type: int32}
              - {name: purchases, type: int64}
              - {name: country, type: string}
              - {name: premium, type: bool}
              - {name: score, type: float32}
              - {name: embedding, type: "float32[3]"}
              - {name: last_login, type: timestamp}
              - {name: avatar, type: bytes}
              - {name: region, type: int32, expect: {in: [1, 2, 3]}}
          - name: device_user
            entities: [user, device]
            ttl: 1d
            features:
              - {name: sessions, type: int64}

        feature_services:
          - name: profile
            features: [user_stats:age, user_stats:country, user_stats:score]

        """

    /// Events of 2025-11-15; user 3 is older (2025-11-12), outside the 2d ttl at ``at``.
    static let userStats = """
        user_id,event_timestamp,age,visits,purchases,country,premium,score,embedding,last_login,avatar,region
        1,2025-11-15T01:00:00Z,31.5,7,3,FR,true,0.1,"[0.5,1.5,-2]",2025-11-14T23:59:59.5Z,AQID,1
        2,2025-11-15T02:00:00.25Z,,12,5,DE,false,,,,,2
        3,2025-11-12T03:00:00Z,45,1,0,US,,3.25,"[1,2,3]",,,3
        4,2025-11-15T04:00:00Z,22,0,,"Zürich, CH",true,-1e-3,,2025-11-01T00:00:00Z,/w==,

        """

    static let deviceUser = """
        user_id,device_id,event_timestamp,sessions
        1,phone,2025-11-15T01:00:00Z,4
        1,laptop,2025-11-15T02:00:00Z,9
        2,phone,2025-11-15T03:00:00Z,1

        """

    /// 2025-11-15T12:00:00Z: the lookup time of the equality tests.
    static let at: Int64 = 1_763_208_000_000_000
}
