/// One field of the current CSV record: `buffer[start..<end]` is its content
/// (inside the quotes for a quoted field). `escaped` means the content still
/// holds doubled quotes (`""`) to collapse.
struct FieldSpan {
    var start: Int
    var end: Int
    var quoted: Bool
    var escaped: Bool
}

/// What ``CSVTokenizer/next()`` found.
enum TokenStatus {
    /// A record: see `fieldCount`, `fields`, `recordLine`, `rawRange`.
    case record
    /// End of input.
    case end
    /// A malformed record, already consumed; `rawRange` covers its text.
    case malformed(line: Int, message: String)
}

/// The RFC 4180 record splitter: finds field boundaries without copying.
///
/// Fields end at `,`; records at LF or CRLF (a CR directly before the LF of
/// an unquoted last field is dropped). A field starting with `"` is quoted:
/// it may hold commas, newlines and `""`. A `"` inside an unquoted field is
/// data. Blank lines are skipped (but counted). A record that straddles the
/// end of the loaded bytes is re-scanned after ``ChunkedInput/refill()``, so
/// the results never depend on where chunks end.
final class CSVTokenizer {
    let input: ChunkedInput
    /// Physical line number of `input.start`.
    private(set) var line = 1
    private(set) var fields: UnsafeMutablePointer<FieldSpan>
    private var fieldCapacity = 64
    /// Fields in the current record.
    private(set) var fieldCount = 0
    /// 1-based line where the current record starts.
    private(set) var recordLine = 0
    /// The current record's text in `input.buffer`, without its terminator.
    private(set) var rawRange = 0..<0

    /// `line`: the physical line number of the input's first byte.
    init(input: ChunkedInput, line: Int = 1) {
        self.input = input
        self.line = line
        fields = .allocate(capacity: fieldCapacity)
    }

    deinit { fields.deallocate() }

    /// The current record's original text (for rejected rows).
    var rawText: String {
        String(decoding: UnsafeBufferPointer(start: input.buffer + rawRange.lowerBound, count: rawRange.count),
               as: UTF8.self)
    }

    /// Advances to the next record.
    func next() throws(TabularError) -> TokenStatus {
        while true {
            if let status = scan() { return status }
            try input.refill()
        }
    }

    private func growFields() {
        let grown = UnsafeMutablePointer<FieldSpan>.allocate(capacity: fieldCapacity * 2)
        grown.moveInitialize(from: fields, count: fieldCapacity)
        fields.deallocate()
        fields = grown
        fieldCapacity *= 2
    }

    /// Scans one record from `input.start`; nil when more bytes are needed.
    private func scan() -> TokenStatus? {
        let b = input.buffer
        let end = input.end
        let eof = input.eof
        var p = input.start
        var ln = line
        // Skip blank lines.
        while true {
            if p == end {
                input.start = p; line = ln
                return eof ? .end : nil
            }
            let c = b[p]
            if c == UInt8(ascii: "\n") { p += 1; ln += 1; continue }
            if c == UInt8(ascii: "\r") {
                if p + 1 == end {
                    if eof { p += 1; continue }
                    input.start = p; line = ln
                    return nil
                }
                if b[p + 1] == UInt8(ascii: "\n") { p += 2; ln += 1; continue }
            }
            break
        }
        input.start = p
        line = ln
        let recordStart = p
        let startLine = ln
        var n = 0
        while true {
            if n == fieldCapacity { growFields() }
            if p < end, b[p] == UInt8(ascii: "\"") {
                if input.limit != nil {
                    // It may hold a newline past the input's limit (which then
                    // is not a record boundary): read on to the end instead.
                    input.limit = nil
                }
                let fieldLine = ln
                var q = p + 1
                var escaped = false
                while true {
                    if q == end {
                        guard eof else { return nil }
                        return malformed(recordStart, startLine, fieldLine, resyncFrom: end, line: ln,
                                         "unterminated quoted field")
                    }
                    let c = b[q]
                    if c == UInt8(ascii: "\"") {
                        if q + 1 == end && !eof { return nil }
                        if q + 1 < end, b[q + 1] == UInt8(ascii: "\"") { escaped = true; q += 2; continue }
                        break
                    }
                    if c == UInt8(ascii: "\n") { ln += 1 }
                    q += 1
                }
                fields[n] = FieldSpan(start: p + 1, end: q, quoted: true, escaped: escaped)
                n += 1
                p = q + 1
                if p == end {
                    guard eof else { return nil }
                    return finish(recordStart, startLine, n, rawEnd: p, next: p, line: ln)
                }
                let c = b[p]
                if c == UInt8(ascii: ",") { p += 1; continue }
                if c == UInt8(ascii: "\n") { return finish(recordStart, startLine, n, rawEnd: p, next: p + 1, line: ln + 1) }
                if c == UInt8(ascii: "\r") {
                    if p + 1 == end {
                        guard eof else { return nil }
                        return finish(recordStart, startLine, n, rawEnd: p, next: p + 1, line: ln)
                    }
                    if b[p + 1] == UInt8(ascii: "\n") {
                        return finish(recordStart, startLine, n, rawEnd: p, next: p + 2, line: ln + 1)
                    }
                }
                return malformed(recordStart, startLine, fieldLine, resyncFrom: p, line: ln,
                                 "unexpected character after closing quote")
            } else {
                var q = p
                var found = false
                // 8 bytes at a time while a whole word is loaded.
                while q &+ 8 <= end {
                    let word = UInt64(littleEndian: UnsafeRawPointer(b + q).loadUnaligned(as: UInt64.self))
                    let hits = Self.zeroBytes(word ^ 0x2C2C_2C2C_2C2C_2C2C) | Self.zeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A)
                    if hits != 0 {
                        q &+= hits.trailingZeroBitCount >> 3
                        found = true
                        break
                    }
                    q &+= 8
                }
                if !found {
                    while q < end {
                        let c = b[q]
                        if c == UInt8(ascii: ",") || c == UInt8(ascii: "\n") { break }
                        q += 1
                    }
                }
                if q == end && !eof { return nil }
                var fieldEnd = q
                let lastField = q == end || b[q] == UInt8(ascii: "\n")
                if lastField, fieldEnd > p, b[fieldEnd - 1] == UInt8(ascii: "\r") { fieldEnd -= 1 }
                fields[n] = FieldSpan(start: p, end: fieldEnd, quoted: false, escaped: false)
                n += 1
                if !lastField { p = q + 1; continue }
                if q == end { return finish(recordStart, startLine, n, rawEnd: fieldEnd, next: q, line: ln) }
                return finish(recordStart, startLine, n, rawEnd: fieldEnd, next: q + 1, line: ln + 1)
            }
        }
    }

    /// 0x80 in each byte of `x` that is zero, 0 elsewhere (exact, no false positives).
    @inline(__always)
    static func zeroBytes(_ x: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low7) &+ low7) | x | low7)
    }

    @inline(__always)
    private func finish(_ recordStart: Int, _ startLine: Int, _ n: Int, rawEnd: Int, next: Int, line nextLine: Int) -> TokenStatus {
        fieldCount = n
        recordLine = startLine
        rawRange = recordStart..<rawEnd
        input.start = next
        line = nextLine
        return .record
    }

    /// Consumes a malformed record up to the end of the line holding `from`.
    private func malformed(_ recordStart: Int, _ startLine: Int, _ errorLine: Int, resyncFrom from: Int,
                           line ln: Int, _ message: String) -> TokenStatus? {
        let b = input.buffer
        var q = from
        while q < input.end, b[q] != UInt8(ascii: "\n") { q += 1 }
        if q == input.end && !input.eof { return nil }
        var rawEnd = q
        if rawEnd > recordStart, b[rawEnd - 1] == UInt8(ascii: "\r") { rawEnd -= 1 }
        fieldCount = 0
        recordLine = startLine
        rawRange = recordStart..<rawEnd
        input.start = q == input.end ? q : q + 1
        line = q == input.end ? ln : ln + 1
        return .malformed(line: errorLine, message: message)
    }
}
