#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The C math library's functions, in the precision each training library uses
/// (`expf` for XGBoost's and ONNX Runtime's float32, `exp` for LightGBM's double).
enum LibM {
    @inline(__always) static func exp(_ x: Float) -> Float { expf(x) }
    @inline(__always) static func exp(_ x: Double) -> Double { libcExp(x) }
    @inline(__always) static func log(_ x: Float) -> Float { logf(x) }
    @inline(__always) static func tanh(_ x: Float) -> Float { tanhf(x) }
    @inline(__always) static func sqrt(_ x: Float) -> Float { x.squareRoot() }
}

@inline(__always) private func libcExp(_ x: Double) -> Double {
    #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
    return exp(x)
    #endif
}
