import FeatureStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A few `OnlineFeatures` buffers kept for reuse by single-entity reads, so a
/// warm lookup allocates no columns. Thread-safe.
///
/// A server's event loops share a scorer, and one lock they waited for put
/// requests to sleep in `futex` (the tail latency the pool is there to cut).
/// So the buffers are kept in 8 stripes, each with its own lock, and a thread
/// uses the stripe its thread id hashes to: two event loops rarely meet. A
/// thread never waits: when its stripe is held, `take` hands out nothing (the
/// caller allocates) and `give` drops the buffer. At most 4 per stripe.
final class ResultPool: @unchecked Sendable {
    private final class Stripe {
        let lock = NSLock()
        var free: [OnlineFeatures] = []
    }
    private let stripes = (0..<8).map { _ in Stripe() }

    /// The calling thread's stripe.
    private var stripe: Stripe {
        let thread = UInt64(UInt(pthread_self()))
        return stripes[Int(truncatingIfNeeded: (thread &* 0x9E37_79B9_7F4A_7C15) >> 61)]
    }

    /// A buffer from an earlier call on this thread's stripe, or nil.
    func take() -> OnlineFeatures? {
        let s = stripe
        guard s.lock.try() else { return nil }
        defer { s.lock.unlock() }
        return s.free.popLast()
    }

    /// Returns a buffer for a later call.
    func give(_ result: OnlineFeatures) {
        let s = stripe
        guard s.lock.try() else { return }
        defer { s.lock.unlock() }
        if s.free.count < 4 { s.free.append(result) }
    }
}
