import Dispatch

/// The store's one writer: write transactions submitted from any task or event
/// loop run one after another on a dedicated serial queue, so no event loop or
/// cooperative thread ever blocks on LMDB's writer lock or an fsync.
///
/// ```swift
/// let writer = SerialWriter(env)
/// try await writer.write { txn in try txn.put(k, v, in: db) }
/// ```
public final class SerialWriter: Sendable {
    public let environment: Environment
    private let queue: DispatchQueue

    public init(_ environment: Environment, label: String = "featurestore.lmdb.writer") {
        self.environment = environment
        self.queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    /// Runs `body` in a write transaction on the writer queue and returns its result.
    public func write<R: Sendable>(_ body: @escaping @Sendable (inout Transaction) throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [environment] in
                do { continuation.resume(returning: try environment.write(body)) }
                catch { continuation.resume(throwing: error) }
            }
        }
    }

    /// Runs `body` on the writer queue and waits for it (for synchronous callers).
    public func writeSync<R>(_ body: (inout Transaction) throws -> R) throws -> R {
        try queue.sync { try environment.write(body) }
    }
}
