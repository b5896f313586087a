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
/// ```swift
/// let writer = try CSVWriter(path: "out.csv")
/// try writer.write(header: batch.fields.map(\.name))
/// try writer.write(batch: batch)
/// try writer.close()
/// ```
public final class CSVWriter {
    private let out: OutputFile

    /// Creates (or truncates) the file at `path`.
    public init(path: String) throws(TabularError) {
        out = try OutputFile(path: path)
    }

    /// Writes one header row.
    public func write(header: [String]) throws(TabularError) {
        for (k, name) in header.enumerated() {
            if k > 0 { try out.append(UInt8(ascii: ",")) }
            try writeText(Array(name.utf8)[...], emptyIsQuoted: false)
        }
        try out.append(UInt8(ascii: "\n"))
    }

    /// Writes every row of `batch`, columns in the batch's order.
    public func write(batch: RecordBatch) throws(TabularError) {
        let columns = batch.columns
        let rows = batch.rowCount
        for row in 0..<rows {
            for (k, column) in columns.enumerated() {
                if k > 0 { try out.append(UInt8(ascii: ",")) }
                if column.validity[row] { try writeValue(column, row) }
            }
            try out.append(UInt8(ascii: "\n"))
        }
    }

    /// Flushes and closes the file. Further writes throw.
    public func close() throws(TabularError) { try out.close() }

    private func writeValue(_ column: Column, _ row: Int) throws(TabularError) {
        switch column.storage {
        case .bool(let a):
            try out.append(Array((a[row] ? "true" : "false").utf8))
        case .int32(let a):
            let p = try out.reserve(24)
            out.advance(ValueFormatting.writeInteger(Int64(a[row]), p))
        case .int64(let a):
            if column.type == .timestamp {
                let p = try out.reserve(48)
                out.advance(Timestamp.format(a[row], into: UnsafeMutableRawBufferPointer(start: p, count: 48)))
            } else {
                let p = try out.reserve(24)
                out.advance(ValueFormatting.writeInteger(a[row], p))
            }
        case .float32(let a):
            try out.append(ValueFormatting.text(a[row]))
        case .float64(let a):
            try out.append(ValueFormatting.text(a[row]))
        case .binary(let offsets, let bytes):
            let value = bytes[offsets[row]..<offsets[row + 1]]
            if column.type == .bytes {
                if value.isEmpty {
                    try out.append(Array("\"\"".utf8))
                } else {
                    var text: [UInt8] = []
                    text.reserveCapacity(Base64.encodedCount(value.count))
                    Base64.encode(value) { text.append($0) }
                    try out.append(text)
                }
            } else {
                try writeText(value, emptyIsQuoted: true)
            }
        case .vector(let n, let values):
            var text = "["
            for j in 0..<n {
                if j > 0 { text += "," }
                text += ValueFormatting.text(values[row * n + j])
            }
            text += "]"
            try writeText(Array(text.utf8)[...], emptyIsQuoted: false)
        }
    }

    private func writeText(_ value: ArraySlice<UInt8>, emptyIsQuoted: Bool) throws(TabularError) {
        var needsQuotes = value.isEmpty ? emptyIsQuoted : false
        if let first = value.first, let last = value.last,
           first == 32 || first == 9 || last == 32 || last == 9 {
            needsQuotes = true
        }
        if !needsQuotes {
            for c in value where c == UInt8(ascii: ",") || c == UInt8(ascii: "\"") || c == 10 || c == 13 {
                needsQuotes = true
                break
            }
        }
        guard needsQuotes else {
            try value.withUnsafeBufferPointer { (b) throws(TabularError) in
                if let base = b.baseAddress { try out.append(base, b.count) }
            }
            return
        }
        try out.append(UInt8(ascii: "\""))
        for c in value {
            if c == UInt8(ascii: "\"") { try out.append(c) }
            try out.append(c)
        }
        try out.append(UInt8(ascii: "\""))
    }
}
