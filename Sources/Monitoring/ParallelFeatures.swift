import Dispatch
import Foundation

/// Runs one job per feature on every core (the drift statistics of different
/// features are independent), keeping the results in feature order.
enum ParallelFeatures {
    /// `body(i)` for `i` in `0..<count`, concurrently; the results in index
    /// order, or the error of the lowest index that failed.
    static func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
        let slots = Slots<T>(count)
        if count <= 1 || ProcessInfo.processInfo.activeProcessorCount < 2 {
            for i in 0..<count { slots.set(i, Result { try body(i) }) }
        } else {
            DispatchQueue.concurrentPerform(iterations: count) { i in slots.set(i, Result { try body(i) }) }
        }
        return try slots.values().map { try $0!.get() }
    }

    /// Results written by several threads, each to its own index.
    private final class Slots<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [Result<T, Error>?]

        init(_ count: Int) { results = Array(repeating: nil, count: count) }

        func set(_ i: Int, _ r: Result<T, Error>) {
            lock.lock()
            results[i] = r
            lock.unlock()
        }

        func values() -> [Result<T, Error>?] {
            lock.lock()
            defer { lock.unlock() }
            return results
        }
    }
}
