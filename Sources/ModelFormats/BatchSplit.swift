import Dispatch

/// Runs batch scoring over row ranges, on two threads when the batch is large
/// enough to pay for it (the machine this targets has two cores).
enum BatchSplit {
    /// Rows below which a batch is scored on the calling thread only.
    static let parallelThreshold = 4096

    /// Calls `body` with disjoint row ranges covering `0..<rows`; ranges may run
    /// concurrently. Each range writes only its own rows of the output.
    static func run(rows: Int, _ body: @Sendable (Range<Int>) -> Void) {
        if rows < parallelThreshold {
            body(0..<rows)
            return
        }
        let half = rows / 2
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            body(part == 0 ? 0..<half : half..<rows)
        }
    }
}

/// Input and output pointers of a batch, handed to the two threads of `BatchSplit`.
/// Each thread reads the whole input and writes only its own rows of the output.
struct BatchBuffers: @unchecked Sendable {
    let input: UnsafeBufferPointer<Double>
    let output: UnsafeMutableBufferPointer<Double>
}
