import Inference
import NIOCore
import WireProtocol

/// A ``Scorer`` as PREDICT serves it, with what every reply of its model ref
/// repeats encoded once: the reply head's model name, output names, and the
/// versions with their input refs (docs/wire-protocol.md 4.8). Built with the
/// scorer by ``ModelScorers``, so an alias move or a catalog change, which
/// builds a new scorer, also encodes a new head.
struct ServedModel: Sendable {
    let scorer: Scorer
    /// `writePredictReplyModel` of the scorer, copied into each reply.
    let replyModel: [UInt8]
    /// Score values per entity (the model's output count).
    let outputCount: Int

    init(_ scorer: Scorer) {
        self.scorer = scorer
        var head = ByteBufferAllocator().buffer(capacity: 256)
        head.writePredictReplyModel(
            model: scorer.modelName, outputs: PredictionLog.featureNames(kind: scorer.kind),
            versions: scorer.versions.map { PredictVersion(version: UInt32($0.version.version), inputs: $0.version.inputs.map(\.ref)) })
        replyModel = Array(head.readableBytesView)
        outputCount = scorer.kind.outputCount
    }
}
