import FeatureStore
import Foundation

/// A few `OnlineFeatures` buffers kept for reuse by single-entity reads, so a
/// warm lookup allocates no columns. Thread-safe; holds at most 8.
final class ResultPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [OnlineFeatures] = []

    /// A buffer from an earlier call, or nil.
    func take() -> OnlineFeatures? {
        lock.withLock { free.popLast() }
    }

    /// Returns a buffer for the next call.
    func give(_ result: OnlineFeatures) {
        lock.withLock { if free.count < 8 { free.append(result) } }
    }
}
