import NIOCore
import NIOEmbedded
import Testing
@testable import WireProtocol
import TestSupport

/// PREDICT's request and reply (docs/wire-protocol.md 4.8): the golden frames
/// of section 7, every split offset through the frame decoder, seeded round
/// trips with every truncation refused, and garbage payloads refused cleanly.
@Suite struct PredictMessageTests {
    static let goldenRequest = GoldenFrameTests.bytes("""
        00 00 00 51 00 20 00 00 00 00 00 05
        00 10 63 68 75 72 6E 40 70 72 6F 64 75 63 74 69 6F 6E
        00
        80 00 00 00 00 00 00 00
        00 00 00 01 00 07 75 73 65 72 5F 69 64
        00 00 00 02
        03 00 00 00 00 00 00 00 01
        03 00 00 00 00 00 00 00 02
        00 00 00 01 00 03 61 67 65
        00
        01 40 44 00 00 00 00 00 00
        """)

    static let goldenReply = GoldenFrameTests.bytes("""
        00 00 00 70 00 20 00 01 00 00 00 05
        00 05 63 68 75 72 6E
        00 00 00 01 00 0A 70 72 65 64 69 63 74 69 6F 6E
        00 00 00 01
        00 00 00 03 00 00 00 02
        00 10 75 73 65 72 5F 73 74 61 74 73 40 31 3A 61 67 65
        00 1A 75 73 65 72 5F 73 74 61 74 73 40 31 3A 6E 75 6D 5F 70 75 72 63 68 61 73 65 73
        00
        00 00 00 02
        00 00 00 00 03 3F EA 00 00 00 00 00 00
        01 00 00 00 03 3F D0 00 00 00 00 00 00
        """)

    static let request = PredictRequest(model: "churn@production", keyNames: ["user_id"], keys: [.int64(1), .int64(2)],
                                        requestFeatureNames: ["age"], requestFeatures: [nil, 40])
    static let reply = PredictReply(
        model: "churn", outputs: ["prediction"],
        versions: [PredictVersion(version: 3, inputs: ["user_stats@1:age", "user_stats@1:num_purchases"])],
        includesInputs: false,
        entities: [PredictEntity(status: .complete, version: 3, scores: [0.8125]),
                   PredictEntity(status: .missingInputs, version: 3, scores: [0.25])])

    @Test func goldenFrames() throws {
        #expect(GoldenFrameTests.encoded(Frame(request: Self.request, id: 5)) == Self.goldenRequest)
        #expect(GoldenFrameTests.encoded(Frame(reply: Self.reply, id: 5)) == Self.goldenReply)
        let back = try PredictRequest.decode(Frame(request: Self.request, id: 5).payload)
        #expect(back == Self.request && back.at == nil && back.entityCount == 2)
        #expect(try PredictReply.decode(Frame(reply: Self.reply, id: 5).payload) == Self.reply)
    }

    @Test func everySplitOffset() throws {
        let whole = ByteBuffer(bytes: Self.goldenRequest + Self.goldenReply)
        for split in 0...whole.readableBytes {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxPayloadBytes: 1024)))
            var b = whole
            try channel.writeInbound(b.readSlice(length: split)!)
            try channel.writeInbound(b)
            let first = try #require(try channel.readInbound(as: Frame.self), "split at \(split)")
            let second = try #require(try channel.readInbound(as: Frame.self), "split at \(split)")
            #expect(try PredictRequest.decode(first.payload) == Self.request, "split at \(split)")
            #expect(try second.decode(PredictReply.self) == Self.reply, "split at \(split)")
            #expect(try channel.finish().isClean)
        }
    }

    @Test func seededRoundTrips() throws {
        var rng = SeededRandom(seed: 20)
        for _ in 0..<80 {
            let k = Int(rng.next() % 3) + 1
            let n = Int(rng.next() % 4)
            let names = (0..<k).map { "key\($0)" }
            let keys = (0..<(n * k)).map { _ in MessageRoundTripTests.randomValue(rng.next() & 1 == 0 ? .int64 : .string, &rng) }
            let r = Int(rng.next() % 3)
            let values: [Double?] = (0..<(n * r)).map { _ in rng.next() % 3 == 0 ? nil : Double(Int64(bitPattern: rng.next())) / 7 }
            let at: Int64? = rng.next() & 1 == 0 ? nil : Int64(rng.next() >> 2)
            let options: PredictRequest.Options = rng.next() & 1 == 0 ? [] : .returnInputs
            try MessageRoundTripTests.checkRoundTrip(PredictRequest(
                model: "m\(rng.next() % 100)@prod", options: options, at: at, keyNames: names, keys: keys,
                requestFeatureNames: (0..<r).map { "t:f\($0)" }, requestFeatures: values))

            let o = Int(rng.next() % 3) + 1
            let versions = (0..<(Int(rng.next() % 2) + 1)).map { v in
                PredictVersion(version: UInt32(v + 1), inputs: (0..<(Int(rng.next() % 3) + 1)).map { "t@1:f\($0)" })
            }
            let withInputs = rng.next() & 1 == 0
            let entities = (0..<n).map { _ -> PredictEntity in
                let v = versions[Int(rng.next() % UInt64(versions.count))]
                return PredictEntity(status: PredictionStatus(rawValue: UInt8(rng.next() % 3))!, version: v.version,
                                     scores: (0..<o).map { _ in Double(rng.next() % 1000) / 999 },
                                     inputs: withInputs ? v.inputs.map { _ in rng.next() % 4 == 0 ? .nan : Double(rng.next() % 50) } : nil)
            }
            try MessageRoundTripTests.checkRoundTrip(PredictReply(
                model: "m", outputs: (0..<o).map { o == 1 ? "prediction" : "prediction_\($0)" }, versions: versions,
                includesInputs: withInputs, entities: entities))
        }
    }

    @Test func badPayloadsAreMalformed() {
        var golden = ByteBuffer(bytes: Self.goldenRequest)
        golden.moveReaderIndex(forwardBy: Frame.headerBytes)
        let payload = Array(golden.readableBytesView)
        // Unknown option bits; a present byte of 2; a lying entity count.
        var options = payload; options[18] = 0x80
        var present = payload; present[payload.count - 9] = 2
        var count = payload; count[40] = 0x7F
        for bytes in [options, present, count] {
            #expect(throws: WireError.self) { _ = try PredictRequest.decode(ByteBuffer(bytes: bytes)) }
        }
        var reply = ByteBuffer(bytes: Self.goldenReply)
        reply.moveReaderIndex(forwardBy: Frame.headerBytes)
        var status = Array(reply.readableBytesView); status[status.count - 26] = 9
        #expect(throws: WireError.self) { _ = try PredictReply.decode(ByteBuffer(bytes: status)) }
        // An entity naming a version the reply does not list, with inputs.
        let stray = PredictReply(model: "m", outputs: ["prediction"], versions: [PredictVersion(version: 1, inputs: ["t@1:a"])],
                                 includesInputs: true, entities: [PredictEntity(status: .complete, version: 2, scores: [1], inputs: [1])])
        var b = ByteBuffer()
        stray.write(to: &b)
        #expect(throws: WireError.self) { _ = try PredictReply.decode(b) }
    }

    @Test func seededGarbageNeverCrashes() {
        var rng = SeededRandom(seed: 99)
        for _ in 0..<500 {
            var bytes = Array(Self.goldenRequest.dropFirst(Frame.headerBytes))
            for _ in 0..<Int(rng.next() % 4 + 1) {
                bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count + 1))))
            do { _ = try PredictRequest.decode(ByteBuffer(bytes: bytes)) } catch { #expect(error is WireError) }
            let random = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            do { _ = try PredictReply.decode(ByteBuffer(bytes: random)) } catch { #expect(error is WireError) }
        }
    }
}
