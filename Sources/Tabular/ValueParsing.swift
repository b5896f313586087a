/// Text → typed value, shared by the CSV reader (field contents) and the
/// JSONL reader (string contents and number tokens).
///
/// - bool: `true`/`false`/`1`/`0`, any case.
/// - int32/int64: `[+-]digits`, range-checked; no fraction, no exponent.
/// - float32/float64: see ``NumberParsing``.
/// - timestamp: ISO-8601 (``Timestamp/parse(utf8:)``).
/// - bytes: padded standard base64.
/// - float32[N]: `[x, y, …]` with exactly N numbers, whitespace allowed.
/// - string: the bytes, which must be valid UTF-8.
///
/// Non-string values may have spaces or tabs around them.
extension ColumnBuilder {
    @inline(__always)
    static func isBlank(_ c: UInt8) -> Bool { c == 32 || c == 9 }

    /// Parses `p[0..<n]` (not empty: callers turn empty fields into nulls)
    /// into row `row`.
    @inline(__always)
    mutating func parseText(_ p: UnsafePointer<UInt8>, _ n: Int, row: Int) -> ValueIssue? {
        // Fast paths for the common numeric kinds with no surrounding blanks.
        switch kind {
        case .float64:
            if let v = NumberParsing.double(p, n) { setFloat64(v, row: row); return nil }
        case .int64:
            if case .value(let v) = NumberParsing.integer(p, n) { setInt64(v, row: row); return nil }
        case .timestamp:
            if let v = Timestamp.parse(utf8: UnsafeRawBufferPointer(start: p, count: n)) { setInt64(v, row: row); return nil }
        default:
            break
        }
        return parseTextInFull(p, n, row: row)
    }

    /// Every kind, with blanks trimmed; the errors.
    @inline(never)
    mutating func parseTextInFull(_ p0: UnsafePointer<UInt8>, _ n0: Int, row: Int) -> ValueIssue? {
        if kind == .string {
            guard UTF8Validation.isValid(p0, n0) else { return .invalidUTF8 }
            setBinary(p0, n0, row: row)
            return nil
        }
        var p = p0
        var n = n0
        while n > 0, Self.isBlank(p[0]) { p += 1; n -= 1 }
        while n > 0, Self.isBlank(p[n - 1]) { n -= 1 }
        switch kind {
        case .float64:
            guard let v = NumberParsing.double(p, n) else { return .invalid }
            setFloat64(v, row: row)
        case .int64:
            switch NumberParsing.integer(p, n) {
            case .value(let v): setInt64(v, row: row)
            case .invalid: return .invalid
            case .outOfRange: return .outOfRange
            }
        case .timestamp:
            guard let v = Timestamp.parse(utf8: UnsafeRawBufferPointer(start: p, count: n)) else { return .invalid }
            setInt64(v, row: row)
        case .float32:
            guard let v = NumberParsing.float(p, n) else { return .invalid }
            setFloat32(v, row: row)
        case .int32:
            switch NumberParsing.integer(p, n) {
            case .value(let v):
                guard let x = Int32(exactly: v) else { return .outOfRange }
                setInt32(x, row: row)
            case .invalid: return .invalid
            case .outOfRange: return .outOfRange
            }
        case .bool:
            guard let v = Self.parseBool(p, n) else { return .invalid }
            setBool(v, row: row)
        case .bytes:
            reserveBytes(n / 4 * 3)
            guard let count = Base64.decode(p, n, into: bytes + byteCount) else { return .invalidBase64 }
            byteCount += count
            commitBinary(row: row)
        case .vector:
            return parseVector(p, n, row: row)
        case .string:
            break
        }
        return nil
    }

    @inline(__always)
    static func parseBool(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool? {
        switch n {
        case 1:
            if p[0] == UInt8(ascii: "1") { return true }
            if p[0] == UInt8(ascii: "0") { return false }
        case 4:
            if p[0] | 0x20 == UInt8(ascii: "t"), p[1] | 0x20 == UInt8(ascii: "r"),
               p[2] | 0x20 == UInt8(ascii: "u"), p[3] | 0x20 == UInt8(ascii: "e") { return true }
        case 5:
            if p[0] | 0x20 == UInt8(ascii: "f"), p[1] | 0x20 == UInt8(ascii: "a"), p[2] | 0x20 == UInt8(ascii: "l"),
               p[3] | 0x20 == UInt8(ascii: "s"), p[4] | 0x20 == UInt8(ascii: "e") { return false }
        default: break
        }
        return nil
    }

    /// Parses `[x, y, …]` into row `row` of a vector column.
    func parseVector(_ p: UnsafePointer<UInt8>, _ n: Int, row: Int) -> ValueIssue? {
        var i = 0
        @inline(__always) func skipBlanks() {
            while i < n, p[i] == 32 || p[i] == 9 || p[i] == 10 || p[i] == 13 { i += 1 }
        }
        guard n >= 2, p[0] == UInt8(ascii: "["), p[n - 1] == UInt8(ascii: "]") else { return .invalid }
        let out = (fixed + row * dimension * 4).assumingMemoryBound(to: Float.self)
        let close = n - 1
        i = 1
        var count = 0
        skipBlanks()
        if i == close { return dimension == 0 ? nil : .vectorLength(got: 0) }
        while true {
            skipBlanks()
            let start = i
            while i < close, p[i] != UInt8(ascii: ","), p[i] != 32, p[i] != 9, p[i] != 10, p[i] != 13 { i += 1 }
            guard let v = NumberParsing.float(p + start, i - start) else { return .invalid }
            if count < dimension { out[count] = v }
            count += 1
            skipBlanks()
            if i == close { break }
            guard p[i] == UInt8(ascii: ",") else { return .invalid }
            i += 1
        }
        guard count == dimension else { return .vectorLength(got: count) }
        validity[row] = true
        return nil
    }
}
