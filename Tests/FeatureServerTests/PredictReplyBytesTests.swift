import NIOCore
import Testing
import WireProtocol
@testable import FeatureServer

/// The server builds PREDICT replies in the connection's scratch bytes
/// (`[UInt8]` appends); they must be byte for byte the frames the
/// WireProtocol writers make, and decode to the reply that was meant.
@Suite struct PredictReplyBytesTests {
    static let versions = [PredictVersion(version: 3, inputs: ["user_stats:age", "user_stats:income"]),
                           PredictVersion(version: 4, inputs: ["user_stats:age"])]

    /// The frame as `ServerCore.predict` builds it.
    static func scratchFrame(requestId: UInt32, head: [UInt8], includesInputs: Bool, entities: [PredictEntity]) -> [UInt8] {
        var scratch: [UInt8] = [0xEE]   // left over from an earlier reply
        scratch.removeAll(keepingCapacity: true)
        scratch.appendReplyHeader(.predict, requestId: requestId)
        scratch.append(contentsOf: head)
        scratch.appendPredictReplyCounts(includesInputs: includesInputs, entityCount: entities.count)
        for e in entities {
            scratch.appendPredictEntity(e.status, version: e.version, scores: e.scores, inputs: e.inputs ?? [])
        }
        scratch.patchFrameLength()
        return scratch
    }

    /// The frame as the WireProtocol writers make it.
    static func bufferFrame(requestId: UInt32, model: String, outputs: [String], includesInputs: Bool,
                            entities: [PredictEntity]) -> [UInt8] {
        var out = ByteBufferAllocator().buffer(capacity: 64)
        ServerCore.beginReply(.predict, requestId, into: &out)
        out.writePredictReplyModel(model: model, outputs: outputs, versions: versions)
        out.writePredictReplyCounts(includesInputs: includesInputs, entityCount: entities.count)
        for e in entities { out.writePredictEntity(e.status, version: e.version, scores: e.scores, inputs: e.inputs ?? []) }
        ServerCore.endReply(&out)
        return Array(out.readableBytesView)
    }

    @Test(arguments: [false, true])
    func scratchRepliesAreTheWireProtocolsFrames(_ includesInputs: Bool) throws {
        let model = "churn@production", outputs = ["p_0", "p_1", "p_2"]
        var headBuffer = ByteBufferAllocator().buffer(capacity: 64)
        headBuffer.writePredictReplyModel(model: model, outputs: outputs, versions: Self.versions)
        let head = Array(headBuffer.readableBytesView)
        for count in [0, 1, 3] {
            let entities = (0..<count).map { i in
                // Version 3 has two inputs, version 4 one.
                let version = Self.versions[i % 2]
                return PredictEntity(status: PredictionStatus.allCases[i % PredictionStatus.allCases.count], version: version.version,
                                     scores: [0.25 + Double(i), -0.0, .nan],
                                     inputs: includesInputs ? Array([41, .nan].prefix(version.inputs.count)) : nil)
            }
            let requestId = UInt32(0xA1B2_C3D4 &+ UInt32(count))
            let scratch = Self.scratchFrame(requestId: requestId, head: head, includesInputs: includesInputs, entities: entities)
            #expect(scratch == Self.bufferFrame(requestId: requestId, model: model, outputs: outputs,
                                                includesInputs: includesInputs, entities: entities), "\(count) entities")
            var frame = ByteBufferAllocator().buffer(capacity: scratch.count)
            frame.writeBytes(scratch[Frame.headerBytes...])
            let reply = try PredictReply(from: &frame)
            #expect(reply.model == model && reply.outputs == outputs && reply.versions == Self.versions)
            #expect(reply.includesInputs == includesInputs && reply.entities.count == count)
            for (got, sent) in zip(reply.entities, entities) {
                #expect(got.status == sent.status && got.version == sent.version)
                #expect(got.scores.map(\.bitPattern) == sent.scores.map(\.bitPattern))
                #expect(got.inputs?.map(\.bitPattern) == sent.inputs?.map(\.bitPattern))
            }
        }
    }
}
