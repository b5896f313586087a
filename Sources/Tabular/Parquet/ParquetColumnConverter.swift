// From a decoded column chunk (levels + dense physical values) to a Column of
// the caller's DataType, one row per row of the row group.

/// A value that does not fit the requested type, by row within its row group.
struct ParquetRowIssue {
    let row: Int
    let issue: ValueIssue
    let shown: String
}

enum ParquetColumnConverter {
    /// Whether a column of `column`'s kind and shape can be read as `type`.
    ///
    /// Integers read as any integer or float type (range-checked); floats as
    /// either float type; strings and binary as `string` (UTF-8 checked) or
    /// `bytes`; timestamps, dates and INT96 as `timestamp`; a LIST of FLOAT or
    /// DOUBLE as `float32[N]`.
    static func canRead(_ column: ParquetTopColumn, as type: DataType) -> Bool {
        if column.isList {
            guard case .float32Vector = type else { return false }
            return column.kind == .float32 || column.kind == .float64
        }
        switch (column.kind, type) {
        case (.bool, .bool): return true
        case (.int32, .int32), (.int32, .int64), (.int32, .float32), (.int32, .float64): return true
        case (.int64, .int32), (.int64, .int64), (.int64, .float32), (.int64, .float64): return true
        case (.float32, .float32), (.float32, .float64), (.float64, .float32), (.float64, .float64): return true
        case (.timestamp, .timestamp), (.date, .timestamp), (.int96, .timestamp): return true
        case (.string, .string), (.string, .bytes), (.binary, .string), (.binary, .bytes): return true
        default: return false
        }
    }

    /// Converts `chunk` to a column of `type` with `rows` rows. Values that do
    /// not fit come back as issues (their rows hold zero).
    /// The chunk's value arrays are moved into the column where no conversion
    /// is needed (`chunk` is left without values).
    static func convert(_ chunk: inout DecodedChunk, _ column: ParquetTopColumn, as type: DataType,
                        rows: Int) throws(ParquetIssue) -> (Column, [ParquetRowIssue]) {
        guard let leaf = column.leaf else { throw ParquetIssue("column cannot be read") }
        if case .list(let present, let slot) = column.shape, case .float32Vector(let n) = type {
            return try vectors(chunk, leaf, present: present, slot: slot, dimension: n, rows: rows)
        }
        guard chunk.levelCount == rows else {
            throw ParquetIssue("column chunk holds \(chunk.levelCount) values, the row group has \(rows) rows")
        }
        var validity: [Bool]
        var validCount = rows
        if leaf.maxDefinition == 0 {
            validity = [Bool](repeating: true, count: rows)
        } else {
            let maxDef = UInt8(leaf.maxDefinition)
            validity = chunk.definitions.withUnsafeBufferPointer { d in
                [Bool](unsafeUninitializedCapacity: d.count) { out, initialized in
                    guard let to = out.baseAddress, let from = d.baseAddress else { initialized = 0; return }
                    if maxDef == 1 {
                        // Levels are checked to be 0 or 1 here: the bytes of false and true.
                        UnsafeMutableRawPointer(to).copyMemory(from: from, byteCount: d.count)
                    } else {
                        for k in 0..<d.count { to[k] = from[k] == maxDef }
                    }
                    initialized = d.count
                }
            }
            // A flat column holds one dense value per valid row (checked page by page).
            validCount = chunk.values.count
        }
        // No conversion: the dense values become the column, spread in place
        // over the null rows.
        if let storage = try identity(&chunk.values, column.kind, as: type, validity, validCount) {
            return (Column(type: type, storage: storage, validity: validity), [])
        }
        var issues: [ParquetRowIssue] = []
        let v = chunk.values
        let storage: Column.Storage
        switch type {
        case .bool:
            storage = .bool(scatter(v.bools, validity, false, &issues) { $0 })
        case .int32:
            storage = .int32(try integers(v, column.kind, validity, &issues) { Int32(exactly: $0) })
        case .int64:
            storage = .int64(try integers(v, column.kind, validity, &issues) { $0 })
        case .float32:
            switch column.kind {
            case .float32: storage = .float32(scatter(v.floats, validity, 0, &issues) { $0 })
            case .float64: storage = .float32(scatter(v.doubles, validity, 0, &issues) { Float($0) })
            default: storage = .float32(try integers(v, column.kind, validity, &issues) { Float($0) })
            }
        case .float64:
            switch column.kind {
            case .float32: storage = .float64(scatter(v.floats, validity, 0, &issues) { Double($0) })
            case .float64: storage = .float64(scatter(v.doubles, validity, 0, &issues) { $0 })
            default: storage = .float64(try integers(v, column.kind, validity, &issues) { Double($0) })
            }
        case .timestamp:
            switch column.kind {
            case .timestamp(.micros), .int96:
                storage = .int64(scatter(v.int64s, validity, 0, &issues) { $0 })
            case .timestamp(.millis):
                storage = .int64(scatter(v.int64s, validity, 0, &issues) { ms in
                    let (r, o) = ms.multipliedReportingOverflow(by: 1000)
                    return o ? nil : r
                })
            case .timestamp(.nanos):
                // Nanoseconds are truncated toward negative infinity (floor), so
                // -1 ns is -1 µs, as pyarrow's cast with truncation allowed does.
                storage = .int64(scatter(v.int64s, validity, 0, &issues) { ns in
                    ns >= 0 ? ns / 1000 : -((-(ns + 1)) / 1000) - 1
                })
            case .date:
                storage = .int64(scatter(v.int32s, validity, 0, &issues) { days in
                    let (r, o) = Int64(days).multipliedReportingOverflow(by: 86_400_000_000)
                    return o ? nil : r
                })
            default:
                throw ParquetIssue("cannot read \(column.typeText) as timestamp")
            }
        case .string, .bytes:
            if let fast = binary(v, validity, validCount, check: type == .string) {
                storage = fast
                break
            }
            var offsets: [Int] = [0]
            offsets.reserveCapacity(rows + 1)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(v.bytes.count)
            var j = 0
            let check = type == .string && column.kind != .string
            let checkAll = type == .string
            try v.bytes.withUnsafeBufferPointer { (src) throws(ParquetIssue) in
                for row in 0..<rows {
                    if validity[row] {
                        guard j + 1 < v.offsets.count else { throw ParquetIssue("fewer values than non-null rows") }
                        let a = v.offsets[j], b = v.offsets[j + 1]
                        j += 1
                        let value = UnsafeBufferPointer(rebasing: src[a..<b])
                        if (check || checkAll), b > a, !UTF8Validation.isValid(value.baseAddress!, b - a) {
                            issues.append(ParquetRowIssue(row: row, issue: .invalidUTF8, shown: TabularError.shown(value)))
                        } else {
                            bytes.append(contentsOf: value)
                        }
                    }
                    offsets.append(bytes.count)
                }
            }
            storage = .binary(offsets: offsets, bytes: bytes)
        case .float32Vector:
            throw ParquetIssue("cannot read \(column.typeText) as \(type)")
        }
        return (Column(type: type, storage: storage, validity: validity), issues)
    }

    /// The column storage when `values` need no conversion to `type` (same
    /// representation), moved out of `values`; nil otherwise.
    private static func identity(_ values: inout PhysicalValues, _ kind: ParquetValueKind, as type: DataType,
                                 _ validity: [Bool], _ validCount: Int) throws(ParquetIssue) -> Column.Storage? {
        func take<T>(_ a: inout [T], _ zero: T) throws(ParquetIssue) -> [T] {
            guard a.count == validCount else {
                throw ParquetIssue("column chunk holds \(a.count) values for \(validCount) non-null rows")
            }
            var out: [T] = []
            swap(&out, &a)
            expand(&out, validity, zero)
            return out
        }
        switch (kind, type) {
        case (.bool, .bool): return .bool(try take(&values.bools, false))
        case (.int32(unsigned: false), .int32): return .int32(try take(&values.int32s, 0))
        case (.int64(unsigned: false), .int64), (.timestamp(.micros), .timestamp), (.int96, .timestamp):
            return .int64(try take(&values.int64s, 0))
        case (.float32, .float32): return .float32(try take(&values.floats, 0))
        case (.float64, .float64): return .float64(try take(&values.doubles, 0))
        default: return nil
        }
    }

    /// Spreads `a`'s dense values (one per valid row, in order) over
    /// `validity.count` rows in place, back to front; null rows get `zero`.
    @inline(__always)
    private static func expand<T>(_ a: inout [T], _ validity: [Bool], _ zero: T) {
        let rows = validity.count
        var j = a.count - 1
        guard a.count < rows else { return }
        Encodings.reserve(&a, adding: rows - a.count)
        a.append(contentsOf: repeatElement(zero, count: rows - a.count))
        a.withUnsafeMutableBufferPointer { o in
            validity.withUnsafeBufferPointer { v in
                var row = rows - 1
                // Rows 0...j are all valid (and in place) once row reaches j.
                while row > j {
                    if v[row] { o[row] = o[j]; j -= 1 } else { o[row] = zero }
                    row -= 1
                }
            }
        }
    }

    /// Binary values for string/bytes without copying the bytes: nulls take no
    /// bytes, so the dense buffer is already the column's. Nil when a string
    /// is not valid UTF-8 (the general path reports it), or the counts do not
    /// match.
    private static func binary(_ v: PhysicalValues, _ validity: [Bool], _ validCount: Int,
                               check: Bool) -> Column.Storage? {
        let rows = validity.count
        guard v.offsets.count == validCount + 1, v.offsets.first == 0 else { return nil }
        if check {
            let ok = v.bytes.withUnsafeBufferPointer { b -> Bool in
                guard let base = b.baseAddress, b.count > 0 else { return true }
                // All ASCII: every value is valid UTF-8. Otherwise check each value.
                var any: UInt64 = 0
                var k = 0
                let raw = UnsafeRawPointer(base)
                while k + 8 <= b.count { any |= raw.loadUnaligned(fromByteOffset: k, as: UInt64.self); k += 8 }
                while k < b.count { any |= UInt64(b[k]); k += 1 }
                if any & 0x8080_8080_8080_8080 == 0 { return true }
                return v.offsets.withUnsafeBufferPointer { o in
                    for i in 0..<validCount where o[i + 1] > o[i] {
                        if !UTF8Validation.isValid(base + o[i], o[i + 1] - o[i]) { return false }
                    }
                    return true
                }
            }
            if !ok { return nil }
        }
        if validCount == rows { return .binary(offsets: v.offsets, bytes: v.bytes) }
        let offsets = [Int](unsafeUninitializedCapacity: rows + 1) { out, initialized in
            v.offsets.withUnsafeBufferPointer { o in
                validity.withUnsafeBufferPointer { valid in
                    var j = 0
                    out[0] = 0
                    for row in 0..<rows {
                        if valid[row] { j += 1 }
                        out[row + 1] = o[j]
                    }
                }
            }
            initialized = rows + 1
        }
        return .binary(offsets: offsets, bytes: v.bytes)
    }

    /// Places dense values at the valid rows; `f` returns nil for a value out of range.
    @inline(__always)
    private static func scatter<S, T>(_ dense: [S], _ validity: [Bool], _ zero: T, _ issues: inout [ParquetRowIssue],
                                      _ f: (S) -> T?) -> [T] {
        var out = [T](repeating: zero, count: validity.count)
        var j = 0
        out.withUnsafeMutableBufferPointer { o in
            dense.withUnsafeBufferPointer { d in
                for row in 0..<validity.count where validity[row] {
                    let s = d[j]
                    j += 1
                    if let t = f(s) { o[row] = t } else {
                        issues.append(ParquetRowIssue(row: row, issue: .outOfRange, shown: "\(s)"))
                    }
                }
            }
        }
        return out
    }

    /// Integer sources (signed or unsigned INT32 / INT64) through `f`.
    private static func integers<T>(_ v: PhysicalValues, _ kind: ParquetValueKind, _ validity: [Bool],
                                    _ issues: inout [ParquetRowIssue], _ f: (Int64) -> T?) throws(ParquetIssue) -> [T]
    where T: ExpressibleByIntegerLiteral {
        switch kind {
        case .int32(let unsigned):
            return unsigned
                ? scatter(v.int32s, validity, 0, &issues) { f(Int64(UInt32(bitPattern: $0))) }
                : scatter(v.int32s, validity, 0, &issues) { f(Int64($0)) }
        case .int64(let unsigned):
            if unsigned {
                let out = scatter(v.int64s, validity, 0, &issues) { $0 < 0 ? nil : f($0) }
                for k in issues.indices {
                    // Show the unsigned value, not its two's complement reading.
                    if let s = Int64(issues[k].shown), s < 0 {
                        issues[k] = ParquetRowIssue(row: issues[k].row, issue: .outOfRange, shown: "\(UInt64(bitPattern: s))")
                    }
                }
                return out
            }
            return scatter(v.int64s, validity, 0, &issues, f)
        default:
            throw ParquetIssue("not an integer column")
        }
    }

    /// LIST<FLOAT|DOUBLE> to `float32[n]`: a row's list must hold exactly `n`
    /// non-null elements; a null list is a null row.
    private static func vectors(_ chunk: DecodedChunk, _ leaf: ParquetLeaf, present: Int, slot: Int, dimension n: Int,
                                rows: Int) throws(ParquetIssue) -> (Column, [ParquetRowIssue]) {
        let levels = chunk.levelCount
        let maxDef = leaf.maxDefinition
        var rowStarts = 0
        for r in chunk.repetitions where r == 0 { rowStarts += 1 }
        guard rowStarts == rows else {
            throw ParquetIssue("list column holds \(rowStarts) rows, the row group has \(rows)")
        }
        var values = [Float](repeating: 0, count: rows * n)
        var validity = [Bool](repeating: false, count: rows)
        var issues: [ParquetRowIssue] = []
        let isDouble = leaf.physical == .double
        var j = 0  // dense value index
        var row = -1
        var count = 0  // elements in the current row
        var nullElement = false
        func finish() {
            guard row >= 0, validity[row] else { return }
            if nullElement {
                issues.append(ParquetRowIssue(row: row, issue: .invalid, shown: "list with a null element"))
            } else if count != n {
                issues.append(ParquetRowIssue(row: row, issue: .vectorLength(got: count), shown: "list of \(count) values"))
            }
        }
        for i in 0..<levels {
            let d = maxDef == 0 ? 0 : Int(chunk.definitions[i])
            if chunk.repetitions[i] == 0 {
                finish()
                row += 1
                count = 0
                nullElement = false
                validity[row] = d >= present
            }
            guard d >= slot else { continue }
            if d == maxDef {
                let x: Float
                if isDouble {
                    guard j < chunk.values.doubles.count else { throw ParquetIssue("fewer values than list elements") }
                    x = Float(chunk.values.doubles[j])
                } else {
                    guard j < chunk.values.floats.count else { throw ParquetIssue("fewer values than list elements") }
                    x = chunk.values.floats[j]
                }
                j += 1
                if count < n { values[row * n + count] = x }
            } else {
                nullElement = true
            }
            count += 1
        }
        finish()
        for issue in issues { for k in 0..<n { values[issue.row * n + k] = 0 } }
        return (Column(type: .float32Vector(n), storage: .vector(dimension: n, values: values), validity: validity), issues)
    }

    /// The element count of the first non-null list in `chunk`, if any.
    static func firstListLength(_ chunk: DecodedChunk, present: Int, slot: Int) -> Int? {
        var count = -1
        for i in 0..<chunk.levelCount {
            let d = chunk.definitions.isEmpty ? 0 : Int(chunk.definitions[i])
            if chunk.repetitions[i] == 0 {
                if count >= 0 { return count }
                if d >= present { count = 0 } else { continue }
            }
            if count >= 0 && d >= slot { count += 1 }
        }
        return count >= 0 ? count : nil
    }
}
