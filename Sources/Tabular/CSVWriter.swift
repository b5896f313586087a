/// Writes record batches as CSV (RFC 4180, LF line ends), byte-deterministic.
///
/// Formats (SPEC 7): null is an empty field; timestamps
/// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`; floats in shortest round-trip form (see
/// ``ValueFormatting``: `NaN`, `inf`, `-inf`); bools `true`/`false`; bytes
/// as padded base64; vectors as `[0.1,0.2]`. A field is quoted only when it
/// must be: it holds a comma, quote, CR or LF, starts or ends with a space or
/// tab, or is an empty non-null string (`""`). Quotes inside are doubled.
/// Output is buffered and written in 1 MiB chunks.
///
/// Rows are formatted by a ``CSVFormatter`` (column by column into reusable
/// byte buffers, then interleaved), which callers can also run on other
/// threads and hand the bytes to ``write(formatted:)``.
///
/// ```swift
/// let writer = try CSVWriter(path: "out.csv")
/// try writer.write(header: batch.fields.map(\.name))
/// try writer.write(batch: batch)
/// try writer.close()
/// ```
public final class CSVWriter {
    private let out: OutputFile
    private let formatter = CSVFormatter()

    /// Creates (or truncates) the file at `path`.
    public init(path: String) throws(TabularError) {
        out = try OutputFile(path: path)
    }

    /// Writes one header row.
    public func write(header: [String]) throws(TabularError) {
        for (k, name) in header.enumerated() {
            if k > 0 { try out.append(UInt8(ascii: ",")) }
            let bytes = Array(name.utf8)
            var quoted = [UInt8](repeating: 0, count: 2 * bytes.count + 2)
            let n = quoted.withUnsafeMutableBufferPointer { q in
                bytes.withUnsafeBufferPointer { b in
                    CSVFormatter.writeText(b.baseAddress, b.count, emptyIsQuoted: false, q.baseAddress!)
                }
            }
            try quoted.withUnsafeBufferPointer { (q) throws(TabularError) in try out.append(q.baseAddress!, n) }
        }
        try out.append(UInt8(ascii: "\n"))
    }

    /// Writes every row of `batch`, columns in the batch's order.
    public func write(batch: RecordBatch) throws(TabularError) {
        try write(batch: batch, rows: 0..<batch.rowCount)
    }

    /// Writes rows `rows` of `batch`, columns in the batch's order.
    public func write(batch: RecordBatch, rows: Range<Int>) throws(TabularError) {
        try formatter.format(batch, rows: rows) { (p, n) throws(TabularError) in
            if n <= 1 << 19 {
                let q = try out.reserve(n)
                q.update(from: p, count: n)
                out.advance(n)
            } else {
                try out.append(p, n)
            }
        }
    }

    /// Writes bytes made by ``CSVFormatter/format(_:rows:into:)`` (rows of a
    /// batch formatted elsewhere, e.g. on another thread), as they are.
    public func write(formatted bytes: [UInt8]) throws(TabularError) {
        try out.append(bytes)
    }

    /// Flushes and closes the file. Further writes throw.
    public func close() throws(TabularError) { try out.close() }
}

/// Formats rows of record batches as CSV text (``CSVWriter``'s format) into
/// bytes. It keeps its scratch buffers between calls; one formatter per
/// thread (it is not itself thread-safe), any number of them at once.
///
/// Rows go in chunks of 1024: each column's values are formatted into its own
/// byte buffer (one type switch per column and chunk, no String, no
/// allocation), then the fields are interleaved into rows.
///
/// ```swift
/// let formatter = CSVFormatter()
/// var bytes: [UInt8] = []
/// formatter.format(batch, rows: 0..<batch.rowCount, into: &bytes)
/// try writer.write(formatted: bytes)
/// ```
public final class CSVFormatter {
    static let chunkRows = 1024
    /// Bytes any single copy in ``interleave`` may read or write past a field.
    static let slack = 16

    private var columns = 0
    /// Per column: its buffer and capacity.
    private var buffers: [UnsafeMutablePointer<UInt8>] = []
    private var capacities: [Int] = []
    /// `endsStorage[j * (chunkRows + 1) + i]`: where row i of column j ends in
    /// its buffer (entry 0 is 0).
    private var endsStorage: UnsafeMutablePointer<Int>
    private var endsColumns = 0
    private var output: UnsafeMutablePointer<UInt8>
    private var outputCapacity: Int

    public init() {
        endsStorage = .allocate(capacity: 1)
        outputCapacity = 1 << 16
        output = .allocate(capacity: outputCapacity + Self.slack)
    }

    deinit {
        for b in buffers { b.deallocate() }
        endsStorage.deallocate()
        output.deallocate()
    }

    /// Appends the CSV text of `rows` of `batch` (no header) to `bytes`.
    public func format(_ batch: RecordBatch, rows: Range<Int>, into bytes: inout [UInt8]) {
        format(batch, rows: rows) { p, n in bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: n)) }
    }

    /// Formats `rows` of `batch` chunk by chunk, handing each chunk's bytes to
    /// `sink` (valid only during the call).
    func format<E: Error>(_ batch: RecordBatch, rows: Range<Int>,
                          _ sink: (UnsafePointer<UInt8>, Int) throws(E) -> Void) throws(E) {
        let cols = batch.columns.count
        guard cols > 0, !rows.isEmpty else {
            // Rows with no columns are empty lines.
            if cols == 0 && !rows.isEmpty {
                let lines = [UInt8](repeating: 10, count: rows.count)
                try lines.withUnsafeBufferPointer { (b) throws(E) in try sink(b.baseAddress!, b.count) }
            }
            return
        }
        prepare(columns: cols)
        var start = rows.lowerBound
        while start < rows.upperBound {
            let end = min(rows.upperBound, start + Self.chunkRows)
            var total = 0
            for (j, column) in batch.columns.enumerated() {
                total += formatColumn(column, j, start..<end)
            }
            total += (end - start) * cols
            let p = interleave(rows: end - start, total: total)
            try sink(p, total)
            start = end
        }
    }

    private func prepare(columns cols: Int) {
        if cols > endsColumns {
            endsStorage.deallocate()
            endsStorage = .allocate(capacity: cols * (Self.chunkRows + 1))
            endsColumns = cols
        }
        while buffers.count < cols {
            buffers.append(.allocate(capacity: 4096 + Self.slack))
            capacities.append(4096)
        }
        columns = cols
    }

    /// Makes column `j`'s buffer hold at least `n` bytes (plus the slack).
    @inline(__always)
    private func ensure(_ j: Int, _ n: Int) -> UnsafeMutablePointer<UInt8> {
        if capacities[j] < n {
            buffers[j].deallocate()
            let capacity = max(n, capacities[j] * 2)
            buffers[j] = .allocate(capacity: capacity + Self.slack)
            capacities[j] = capacity
        }
        return buffers[j]
    }

    /// Formats rows `range` of `column` into buffer `j`; returns its byte count.
    private func formatColumn(_ column: Column, _ j: Int, _ range: Range<Int>) -> Int {
        let n = range.count
        let r0 = range.lowerBound
        let ends = endsStorage + j * (Self.chunkRows + 1)
        ends[0] = 0
        return column.validity.withUnsafeBufferPointer { valid -> Int in
            var pos = 0
            switch column.storage {
            case .bool(let a):
                let p = ensure(j, 5 * n)
                a.withUnsafeBufferPointer { a in
                    for i in 0..<n {
                        let r = r0 + i
                        if valid[r] {
                            if a[r] {
                                p[pos] = 116; p[pos + 1] = 114; p[pos + 2] = 117; p[pos + 3] = 101; pos += 4
                            } else {
                                p[pos] = 102; p[pos + 1] = 97; p[pos + 2] = 108; p[pos + 3] = 115; p[pos + 4] = 101; pos += 5
                            }
                        }
                        ends[i + 1] = pos
                    }
                }
            case .int32(let a):
                let p = ensure(j, 24 * n)
                a.withUnsafeBufferPointer { a in
                    for i in 0..<n {
                        let r = r0 + i
                        if valid[r] { pos += ValueFormatting.writeInteger(Int64(a[r]), p + pos) }
                        ends[i + 1] = pos
                    }
                }
            case .int64(let a):
                if column.type == .timestamp {
                    let p = ensure(j, 48 * n)
                    a.withUnsafeBufferPointer { a in
                        for i in 0..<n {
                            let r = r0 + i
                            if valid[r] {
                                pos += Timestamp.format(a[r], into: UnsafeMutableRawBufferPointer(start: p + pos, count: 48))
                            }
                            ends[i + 1] = pos
                        }
                    }
                } else {
                    let p = ensure(j, 24 * n)
                    a.withUnsafeBufferPointer { a in
                        for i in 0..<n {
                            let r = r0 + i
                            if valid[r] { pos += ValueFormatting.writeInteger(a[r], p + pos) }
                            ends[i + 1] = pos
                        }
                    }
                }
            case .float32(let a):
                let p = ensure(j, 32 * n)
                a.withUnsafeBufferPointer { a in
                    for i in 0..<n {
                        let r = r0 + i
                        if valid[r] { pos += ValueFormatting.write(a[r], p + pos) }
                        ends[i + 1] = pos
                    }
                }
            case .float64(let a):
                let p = ensure(j, 32 * n)
                a.withUnsafeBufferPointer { a in
                    for i in 0..<n {
                        let r = r0 + i
                        if valid[r] { pos += ValueFormatting.write(a[r], p + pos) }
                        ends[i + 1] = pos
                    }
                }
            case .binary(let offsets, let bytes):
                let isBytes = column.type == .bytes
                offsets.withUnsafeBufferPointer { offsets in
                bytes.withUnsafeBufferPointer { bytes in
                    let total = offsets[r0 + n] - offsets[r0]
                    let p = ensure(j, isBytes ? Base64.encodedCount(total) + 6 * n : 2 * total + 3 * n)
                    for i in 0..<n {
                        let r = r0 + i
                        if valid[r] {
                            let from = offsets[r], count = offsets[r + 1] - from
                            let value = bytes.baseAddress.map { $0 + from }
                            if !isBytes {
                                pos += Self.writeText(value, count, emptyIsQuoted: true, p + pos)
                            } else if count == 0 {
                                p[pos] = 34; p[pos + 1] = 34; pos += 2
                            } else {
                                var o = p + pos
                                Base64.encode(UnsafeBufferPointer(start: value, count: count)) { c in o.pointee = c; o += 1 }
                                pos = o - p
                            }
                        }
                        ends[i + 1] = pos
                    }
                }}
            case .vector(let dimension, let values):
                // `[a,b]`, quoted when it holds a comma (dimension ≥ 2); floats never need quotes.
                let p = ensure(j, n * (4 + 32 * max(1, dimension)))
                let quoted = dimension >= 2
                values.withUnsafeBufferPointer { v in
                    for i in 0..<n {
                        let r = r0 + i
                        if valid[r] {
                            if quoted { p[pos] = 34; pos += 1 }
                            p[pos] = 91; pos += 1
                            for e in 0..<dimension {
                                if e > 0 { p[pos] = 44; pos += 1 }
                                pos += ValueFormatting.write(v[r * dimension + e], p + pos)
                            }
                            p[pos] = 93; pos += 1
                            if quoted { p[pos] = 34; pos += 1 }
                        }
                        ends[i + 1] = pos
                    }
                }
            }
            return pos
        }
    }

    /// Writes a text field at `out` (room for `2 * count + 2` bytes), quoted
    /// when it must be; returns the count.
    @inline(__always)
    static func writeText(_ value: UnsafePointer<UInt8>?, _ count: Int, emptyIsQuoted: Bool,
                          _ out: UnsafeMutablePointer<UInt8>) -> Int {
        guard let value, count > 0 else {
            if emptyIsQuoted { out[0] = 34; out[1] = 34; return 2 }
            return 0
        }
        let first = value[0], last = value[count - 1]
        var needsQuotes = first == 32 || first == 9 || last == 32 || last == 9
        if !needsQuotes {
            for k in 0..<count {
                let c = value[k]
                if c == 44 || c == 34 || c == 10 || c == 13 { needsQuotes = true; break }
            }
        }
        guard needsQuotes else {
            out.update(from: value, count: count)
            return count
        }
        var o = 0
        out[o] = 34; o += 1
        for k in 0..<count {
            let c = value[k]
            if c == 34 { out[o] = 34; o += 1 }
            out[o] = c; o += 1
        }
        out[o] = 34; o += 1
        return o
    }

    /// Interleaves the column buffers' fields into `rows` lines of `total`
    /// bytes; returns the bytes (valid until the next call).
    private func interleave(rows: Int, total: Int) -> UnsafePointer<UInt8> {
        if total > outputCapacity {
            output.deallocate()
            outputCapacity = max(total, outputCapacity * 2)
            output = .allocate(capacity: outputCapacity + Self.slack)
        }
        let cols = columns
        let stride = Self.chunkRows + 1
        let ends = endsStorage
        buffers.withUnsafeBufferPointer { buffers in
            var d = UnsafeMutableRawPointer(output)
            for i in 0..<rows {
                for j in 0..<cols {
                    let e = ends + j * stride + i
                    let from = e[0], count = e[1] - from
                    // Fields are short: copy 16 bytes at a time (the buffers have
                    // slack; bytes written past this field are overwritten next).
                    let s = UnsafeRawPointer(buffers[j] + from)
                    var k = 0
                    while k < count {
                        d.storeBytes(of: s.loadUnaligned(fromByteOffset: k, as: UInt64.self), toByteOffset: k, as: UInt64.self)
                        d.storeBytes(of: s.loadUnaligned(fromByteOffset: k + 8, as: UInt64.self), toByteOffset: k + 8, as: UInt64.self)
                        k += 16
                    }
                    d += count
                    d.storeBytes(of: j == cols - 1 ? 10 : 44, as: UInt8.self)
                    d += 1
                }
            }
        }
        return UnsafePointer(output)
    }
}
