/// `condition ? a : b` computed with bit operations, so that a tree walk has no
/// data-dependent branch to mispredict (the compiler turns a plain `?:` on a
/// comparison into a jump). Half of all node decisions are coin flips to a
/// branch predictor; this keeps the walk a chain of loads.
@inline(__always)
func branchFreeSelect(_ condition: Bool, _ a: Int, _ b: Int) -> Int {
    let mask = 0 &- Int(truncatingIfNeeded: unsafeBitCast(condition, to: UInt8.self))
    return b ^ ((a ^ b) & mask)
}
