/// Text forms of values shared by the writers (SPEC 7): the exact inverse of
/// the readers' parsing.
///
/// Floats are Swift's shortest round-trip form (`0.1`, `3.0`, `1e-05`,
/// `1.5e+300`), which `strtod`/`strtof` read back to the same bits; NaN is
/// written `NaN` (any sign or payload), infinities `inf` and `-inf`, as
/// pandas writes them. Negative zero stays `-0.0`.
public enum ValueFormatting {
    /// The shortest text that reads back as exactly `v`.
    public static func text(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        return v.description
    }

    /// The shortest text that reads back (as float32) as exactly `v`.
    public static func text(_ v: Float) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        return v.description
    }

    /// Writes ``text(_:)-(Double)`` of `v` at `out` (room for 32 bytes) without
    /// making a String; returns the count. Same bytes as `text`: finite values go
    /// through the runtime's `swift_float64ToString`, which is what
    /// `Double.description` calls (an ABI entry point of the standard library).
    @inline(__always)
    static func write(_ v: Double, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        if v.isFinite {
            zeroDigits(out)
            return Int(truncatingIfNeeded: swiftFloat64ToString(out, 32, v, false))
        }
        return writeNonFinite(v.isNaN, v < 0, out)
    }

    /// Writes ``text(_:)-(Float)`` of `v` at `out` (room for 32 bytes); returns the count.
    @inline(__always)
    static func write(_ v: Float, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        if v.isFinite {
            zeroDigits(out)
            return Int(truncatingIfNeeded: swiftFloat32ToString(out, 32, v, false))
        }
        return writeNonFinite(v.isNaN, v < 0, out)
    }

    /// Fills the 32 bytes with ASCII "0": this toolchain's runtime entry point
    /// does not write the final digit of `3.0` (its caller in the standard
    /// library hands it a buffer of "0"s; newer runtimes fill it themselves).
    @inline(__always)
    private static func zeroDigits(_ out: UnsafeMutablePointer<UInt8>) {
        let raw = UnsafeMutableRawPointer(out)
        let zeros: UInt64 = 0x3030_3030_3030_3030
        raw.storeBytes(of: zeros, toByteOffset: 0, as: UInt64.self)
        raw.storeBytes(of: zeros, toByteOffset: 8, as: UInt64.self)
        raw.storeBytes(of: zeros, toByteOffset: 16, as: UInt64.self)
        raw.storeBytes(of: zeros, toByteOffset: 24, as: UInt64.self)
    }

    private static func writeNonFinite(_ nan: Bool, _ negative: Bool, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        if nan { out[0] = 78; out[1] = 97; out[2] = 78; return 3 }          // NaN
        var o = 0
        if negative { out[0] = 45; o = 1 }                                  // -
        out[o] = 105; out[o + 1] = 110; out[o + 2] = 102                    // inf
        return o + 3
    }

    /// Writes the decimal digits of `v` at `out` (room for 20 bytes); returns the count.
    @inline(__always)
    static func writeInteger(_ v: Int64, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        var magnitude = v.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch
        return withUnsafeMutableBytes(of: &digits) { raw in
            var k = 24
            repeat {
                k -= 1
                raw[k] = UInt8(truncatingIfNeeded: 48 &+ magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            var o = 0
            if v < 0 { out[0] = UInt8(ascii: "-"); o = 1 }
            for j in k..<24 { out[o] = raw[j]; o += 1 }
            return o
        }
    }
}

// The standard library's shortest round-trip formatters behind
// `Double.description` / `Float.description`, writing into a caller's buffer
// (legacy ABI entry points of libswiftCore; the result is the text's length).
@_silgen_name("swift_float64ToString")
private func swiftFloat64ToString(_ buffer: UnsafeMutablePointer<UInt8>, _ bufferLength: UInt,
                                  _ value: Double, _ debug: Bool) -> UInt64

@_silgen_name("swift_float32ToString")
private func swiftFloat32ToString(_ buffer: UnsafeMutablePointer<UInt8>, _ bufferLength: UInt,
                                  _ value: Float, _ debug: Bool) -> UInt64
