import NIOCore
import Testing
@testable import WireProtocol
import TestSupport

/// Seeded random messages: encode → decode gives them back; every truncation
/// and every trailing byte is MALFORMED, never a crash.
@Suite struct MessageRoundTripTests {
    static func randomType(_ rng: inout SeededRandom) -> WireType {
        switch rng.next() % 9 {
        case 0: .bool
        case 1: .int32
        case 2: .int64
        case 3: .float32
        case 4: .float64
        case 5: .string
        case 6: .bytes
        case 7: .timestamp
        default: .float32Vector(Int(rng.next() % 5) + 1)
        }
    }

    static func randomValue(_ type: WireType, _ rng: inout SeededRandom) -> WireValue {
        switch type {
        case .bool: .bool(rng.next() & 1 == 0)
        case .int32: .int32(Int32(truncatingIfNeeded: rng.next()))
        case .int64: .int64(Int64(bitPattern: rng.next()))
        case .float32: .float32(Float(Int32(truncatingIfNeeded: rng.next())) / 7)
        case .float64: .float64(Double(Int64(bitPattern: rng.next())) / 3)
        case .string: .string(String(repeating: "é", count: Int(rng.next() % 4)) + "k\(rng.next() % 1000)")
        case .bytes: .bytes((0..<Int(rng.next() % 6)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        case .timestamp: .timestamp(Int64(bitPattern: rng.next() >> 1))
        case .float32Vector(let n): .vector((0..<n).map { _ in Float(rng.next() % 1000) / 8 })
        }
    }

    static func checkRoundTrip<M: WireMessage & Equatable>(_ m: M) throws {
        var b = ByteBuffer()
        m.write(to: &b)
        #expect(try M.decode(b) == m)
        // Every strict prefix fails cleanly.
        for cut in 0..<b.readableBytes {
            let prefix = b.getSlice(at: b.readerIndex, length: cut)!
            #expect(throws: WireError.self) { _ = try M.decode(prefix) }
        }
        var longer = b
        longer.writeInteger(UInt8(0))
        #expect(throws: WireError.self) { _ = try M.decode(longer) }
    }

    @Test func randomGetOnlineRequestsAndReplies() throws {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<60 {
            let k = Int(rng.next() % 3) + 1
            let n = Int(rng.next() % 4)
            var keys: [WireValue] = []
            for _ in 0..<(n * k) { keys.append(Self.randomValue(rng.next() & 1 == 0 ? .int64 : .string, &rng)) }
            let target: GetOnlineRequest.Target = rng.next() & 1 == 0
                ? .list(UInt32(truncatingIfNeeded: rng.next()))
                : .selection(FeatureSelection(refs: ["a:b", "c:*"], services: ["s"], fullFeatureNames: rng.next() & 1 == 0))
            let at: Int64? = rng.next() & 1 == 0 ? nil : Int64(rng.next() >> 2)
            try Self.checkRoundTrip(GetOnlineRequest(target: target, at: at, keyCount: k, keys: keys))

            let f = Int(rng.next() % 4)
            let types = (0..<f).map { _ in Self.randomType(&rng) }
            var cells: [[WireCell]] = []
            for t in types {
                cells.append((0..<n).map { _ in
                    switch WireStatus(rawValue: UInt8(rng.next() % 4))! {
                    case .present: WireCell(status: .present, eventTimestamp: Int64(rng.next() >> 3), value: Self.randomValue(t, &rng))
                    case .notFound: WireCell(status: .notFound, eventTimestamp: nil, value: nil)
                    case let s: WireCell(status: s, eventTimestamp: Int64(rng.next() >> 3), value: nil)
                    }
                })
            }
            let description: FeatureListColumns? = rng.next() & 1 == 0 ? nil : FeatureListColumns(
                joinKeys: [WireField("user_id", .int64)],
                features: types.enumerated().map { ListedFeature(name: "f\($0.offset)", ref: "t:f\($0.offset)", type: $0.element) })
            try Self.checkRoundTrip(GetOnlineReply(listId: 3, description: description, types: types, entityCount: n, cells: cells))
        }
    }

    @Test func randomPushes() throws {
        var rng = SeededRandom(seed: 11)
        for _ in 0..<60 {
            let rows = Int(rng.next() % 4) + 1
            let columns = (0..<Int(rng.next() % 4 + 1)).map { i -> PushColumn in
                let t = Self.randomType(&rng)
                return PushColumn(name: "c\(i)", type: t, values: (0..<rows).map { _ in
                    rng.next() % 3 == 0 ? nil : Self.randomValue(t, &rng)
                })
            }
            let d = PushRequest.Destination(rawValue: UInt8(rng.next() % 3))!
            try Self.checkRoundTrip(PushRequest(table: "user_stats", destination: d, columns: columns))
        }
        try Self.checkRoundTrip(PushReply(batchId: 12, rows: 3))
    }

    @Test func sessionAndCatalogMessages() throws {
        try Self.checkRoundTrip(Hello(client: "c", token: "fst_x"))
        try Self.checkRoundTrip(HelloReply(version: 1, server: "featurestore/1", storeId: "abc", scope: .write,
                                           serverFlags: [.authRequired, .tls], maxFrameBytes: 1 << 24,
                                           maxEntities: 10_000, maxRows: 100_000, maxInFlight: 64))
        try Self.checkRoundTrip(Auth(token: "fst_y"))
        try Self.checkRoundTrip(AuthReply(scope: .admin))
        try Self.checkRoundTrip(HealthReply(draining: true, uptimeMs: 5, connections: 2, requests: 9,
                                            mapSizeBytes: 1 << 30, mapUsedBytes: 4096, readersUsed: 1, readersMax: 126))
        try Self.checkRoundTrip(CatalogReply(
            entities: [.init(name: "user", joinKeys: [WireField("user_id", .int64)])],
            tables: [.init(name: "user_stats", version: 2, ttlMicros: 86_400_000_000, entities: ["user"],
                           timestampField: "event_timestamp", createdTimestampField: nil,
                           features: [WireField("age", .float64), WireField("emb", .float32Vector(8))])],
            services: [.init(name: "churn", refs: ["user_stats:age"])]))
        try Self.checkRoundTrip(FeatureSelection(refs: ["t:a"], services: [], fullFeatureNames: true))
        try Self.checkRoundTrip(FeatureListDescription(listId: 5, columns: FeatureListColumns(
            joinKeys: [WireField("user_id", .int64)], features: [ListedFeature(name: "age", ref: "user_stats:age", type: .float64)])))
        try Self.checkRoundTrip(ErrorReply(code: .forbidden, message: "scope read cannot PUSH"))
    }

    @Test func badValuesAreMalformed() {
        // bool byte 2, unknown type tag, vector dimension 0, invalid UTF-8, lying counts.
        let cases: [[UInt8]] = [
            [0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 2],
            [0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0x44, 0],
            [0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 9, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 6, 0, 0, 0, 1, 0xFF],
            [0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1],
        ]
        for bytes in cases {
            #expect(throws: WireError.self) { _ = try GetOnlineRequest.decode(ByteBuffer(bytes: bytes)) }
        }
        #expect(throws: WireError.self) { _ = try Hello.decode(ByteBuffer(bytes: Array("FSWX".utf8) + [0, 1, 0, 1, 0, 0, 0, 0])) }
    }
}
