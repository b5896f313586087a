#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming JSON Lines reader: one flat JSON object per line, decoded
/// straight into typed columns.
///
/// Values may be `null`, numbers, strings (all JSON escapes, including
/// `\uXXXX` surrogate pairs), `true`/`false`, and arrays of numbers
/// (vectors). A key absent from a line is null; a key not in the schema is an
/// error unless ``ReadOptions/ignoreUnknownColumns`` is set. Blank lines are
/// skipped but counted, so line numbers are physical lines (1-based).
///
/// Type mapping (strict): int columns take JSON integers (`3.0` and `1e3`
/// are refused), float columns any number, `bool` `true`/`false`, `string`
/// a string, `timestamp` an ISO-8601 string, `bytes` a base64 string,
/// `float32[N]` an array of exactly N numbers.
///
/// ```swift
/// let reader = try JSONLReader(path: "events.jsonl")
/// let batches = try reader.batches(schema: [Field("user_id", .int64), Field("age", .float64)],
///                                  options: ReadOptions(ignoreUnknownColumns: true))
/// while let batch = try batches.next() { print(batch.rowCount) }
/// ```
public final class JSONLReader {
    private let input: ChunkedInput
    private var started = false

    /// Opens `path`. `chunkSize` is the read size (tests use tiny ones).
    /// - Throws: ``TabularError`` (`cannotOpen`) when the file cannot be opened.
    public init(path: String, chunkSize: Int = 4 << 20) throws(TabularError) {
        input = try ChunkedInput(path: path, chunkSize: chunkSize)
    }

    /// Reads JSON Lines from memory; `name` stands for the file name in errors.
    public init(bytes: [UInt8], name: String, chunkSize: Int = 4 << 20) {
        input = ChunkedInput(bytes: bytes, name: name, chunkSize: chunkSize)
    }

    /// Starts typed decoding; each batch has `schema`'s fields in its order. Call once.
    public func batches(schema: [Field], options: ReadOptions = ReadOptions()) throws(TabularError) -> BatchIterator {
        precondition(!started, "JSONLReader.batches(schema:options:) called twice")
        started = true
        try input.skipByteOrderMark()
        return BatchIterator(JSONLDecoder(input: input, schema: schema, options: options))
    }
}

/// Why a JSON line was refused (converted to a ``TabularError`` with its line).
enum JSONIssue: Error {
    case syntax(String, position: Int)
    case unknownColumn(String)
    case duplicateColumn(String)
    /// A bad value for column `slot`: its text is `line[start..<end]`, shown
    /// in quotes when `quoted` (a JSON string's content).
    case value(ValueIssue, slot: Int, start: Int, end: Int, quoted: Bool)
}

/// Turns JSON lines into typed batches.
final class JSONLDecoder: BatchSource {
    private let input: ChunkedInput
    private let file: String
    private let batch: BatchBuilder
    private let names: [[UInt8]]
    private let skip: Bool
    private let ignoreUnknown: Bool
    private var line = 0
    private var finished = false
    /// `seen[k] == stamp` when column k got a value on the current line.
    private var seen: [Int]
    private var stamp = 0
    private var hint = 0
    /// Scratch for strings holding escapes.
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity = 256

    init(input: ChunkedInput, schema: [Field], options: ReadOptions) {
        self.input = input
        file = input.name
        batch = BatchBuilder(fields: schema, capacity: options.batchSize)
        names = schema.map { Array($0.name.utf8) }
        skip = options.onInvalid == .skip
        ignoreUnknown = options.ignoreUnknownColumns
        seen = Array(repeating: -1, count: schema.count)
        scratch = .allocate(capacity: scratchCapacity)
    }

    deinit { scratch.deallocate() }

    func nextBatch() throws(TabularError) -> RecordBatch? {
        if finished { return nil }
        batch.reset()
        while !batch.isFull {
            // Find the next line: input.buffer[lineStart..<lineEnd].
            var newline: Int? = nil
            while true {
                let start = input.start
                if let hit = memchr(input.buffer + start, Int32(UInt8(ascii: "\n")), input.end - start) {
                    newline = hit.assumingMemoryBound(to: UInt8.self) - input.buffer
                    break
                }
                if input.eof { break }
                try input.refill()
            }
            let lineStart = input.start
            var lineEnd = newline ?? input.end
            if newline == nil && lineStart == lineEnd {
                finished = true
                return batch.makeBatch()
            }
            input.start = newline.map { $0 + 1 } ?? lineEnd
            line += 1
            if lineEnd > lineStart, input.buffer[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            let p = UnsafePointer(input.buffer + lineStart)
            let n = lineEnd - lineStart
            var blank = true
            for k in 0..<n where !Self.isSpace(p[k]) { blank = false; break }
            if blank { continue }
            stamp += 1
            do {
                try parseObject(p, n, row: batch.rows)
                batch.commitRow(line: line)
            } catch {
                batch.abandonRow()
                let failure = tabularError(error, p, n)
                guard skip else { finished = true; throw failure }
                let raw = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
                batch.rejected.append(RejectedRow(failure, raw: raw))
            }
        }
        return batch.makeBatch()
    }

    private func tabularError(_ issue: JSONIssue, _ p: UnsafePointer<UInt8>, _ n: Int) -> TabularError {
        switch issue {
        case .syntax(let what, let position):
            return TabularError(kind: .malformedRow, file: file, line: line,
                                message: "invalid JSON at position \(position + 1): \(what)")
        case .unknownColumn(let name):
            return TabularError(kind: .unknownColumn, file: file, line: line, message: "unknown column '\(name)'")
        case .duplicateColumn(let name):
            return TabularError(kind: .malformedRow, file: file, line: line, column: name,
                                message: "appears twice in the object")
        case .value(let issue, let slot, let start, let end, let quoted):
            return TabularError.invalidValue(issue, file: file, line: line, field: batch.fields[slot],
                                             value: UnsafeBufferPointer(start: p + start, count: end - start),
                                             quoted: quoted)
        }
    }

    @inline(__always)
    static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 13 || c == 10 }

    // MARK: Parsing one object

    private func parseObject(_ p: UnsafePointer<UInt8>, _ n: Int, row: Int) throws(JSONIssue) {
        var i = 0
        @inline(__always) func skipSpace() { while i < n, Self.isSpace(p[i]) { i += 1 } }
        skipSpace()
        guard i < n, p[i] == UInt8(ascii: "{") else { throw .syntax("expected '{'", position: i) }
        i += 1
        skipSpace()
        if i < n, p[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipSpace()
                guard i < n, p[i] == UInt8(ascii: "\"") else { throw .syntax("expected a key", position: i) }
                let slot = try parseKey(p, n, &i)
                skipSpace()
                guard i < n, p[i] == UInt8(ascii: ":") else { throw .syntax("expected ':'", position: i) }
                i += 1
                skipSpace()
                guard i < n else { throw .syntax("expected a value", position: i) }
                if slot < 0 {
                    try skipValue(p, n, &i)
                } else {
                    try parseValue(p, n, &i, slot: slot, row: row)
                    seen[slot] = stamp
                }
                skipSpace()
                guard i < n else { throw .syntax("expected ',' or '}'", position: i) }
                if p[i] == UInt8(ascii: ",") { i += 1; continue }
                if p[i] == UInt8(ascii: "}") { i += 1; break }
                throw .syntax("expected ',' or '}'", position: i)
            }
        }
        skipSpace()
        guard i == n else { throw .syntax("unexpected text after the object", position: i) }
        let builders = batch.builders
        for k in 0..<names.count where seen[k] != stamp { builders[k].setNull(row: row) }
    }

    /// Parses a key at `p[i] == '"'`; returns its schema slot or -1 when ignored.
    private func parseKey(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int) throws(JSONIssue) -> Int {
        let (start, end, escaped) = try scanString(p, n, &i)
        var key = UnsafePointer(p + start)
        var count = end - start
        if escaped {
            count = try unescape(p, start, end)
            key = UnsafePointer(scratch)
        }
        let slot = findSlot(key, count)
        if slot < 0 {
            guard ignoreUnknown else {
                throw .unknownColumn(String(decoding: UnsafeBufferPointer(start: key, count: count), as: UTF8.self))
            }
            return -1
        }
        if seen[slot] == stamp { throw .duplicateColumn(batch.fields[slot].name) }
        return slot
    }

    @inline(__always)
    private func findSlot(_ key: UnsafePointer<UInt8>, _ count: Int) -> Int {
        let m = names.count
        guard m > 0 else { return -1 }
        var k = hint < m ? hint : 0
        for _ in 0..<m {
            let matches = names[k].withUnsafeBufferPointer { name in
                name.count == count && (count == 0 || memcmp(name.baseAddress!, key, count) == 0)
            }
            if matches { hint = k + 1; return k }
            k = k + 1 == m ? 0 : k + 1
        }
        return -1
    }

    /// Scans a string starting at `p[i] == '"'`; returns its raw content range.
    @inline(__always)
    private func scanString(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int) throws(JSONIssue) -> (Int, Int, Bool) {
        i += 1
        let start = i
        var escaped = false
        while i < n {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return (start, i - 1, escaped)
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                i += 2
                continue
            }
            if c < 0x20 { throw .syntax("control character in string", position: i) }
            i += 1
        }
        throw .syntax("unterminated string", position: start - 1)
    }

    /// Decodes the escapes of `p[start..<end]` into `scratch`; returns the length.
    private func unescape(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) throws(JSONIssue) -> Int {
        if end - start > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = max(end - start, scratchCapacity * 2)
            scratch = .allocate(capacity: scratchCapacity)
        }
        var o = 0
        var i = start
        func hex4(_ at: Int) throws(JSONIssue) -> UInt32 {
            guard at + 4 <= end else { throw .syntax("invalid \\u escape", position: at - 2) }
            var v: UInt32 = 0
            for k in 0..<4 {
                let c = p[at + k]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - 48)
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - 87)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - 55)
                default: throw .syntax("invalid \\u escape", position: at - 2)
                }
                v = v << 4 | d
            }
            return v
        }
        while i < end {
            let c = p[i]
            guard c == UInt8(ascii: "\\") else { scratch[o] = c; o += 1; i += 1; continue }
            let e = p[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch[o] = e
            case UInt8(ascii: "b"): scratch[o] = 8
            case UInt8(ascii: "f"): scratch[o] = 12
            case UInt8(ascii: "n"): scratch[o] = 10
            case UInt8(ascii: "r"): scratch[o] = 13
            case UInt8(ascii: "t"): scratch[o] = 9
            case UInt8(ascii: "u"):
                var scalar = try hex4(i)
                i += 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard i + 1 < end, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u") else {
                        throw .syntax("unpaired surrogate in \\u escape", position: i - 6)
                    }
                    let low = try hex4(i + 2)
                    guard low >= 0xDC00 && low <= 0xDFFF else {
                        throw .syntax("unpaired surrogate in \\u escape", position: i - 6)
                    }
                    i += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    throw .syntax("unpaired surrogate in \\u escape", position: i - 6)
                }
                o += Self.writeUTF8(scalar, scratch + o)
                continue
            default:
                throw .syntax("invalid escape '\\\(Character(Unicode.Scalar(e)))'", position: i - 2)
            }
            o += 1
        }
        return o
    }

    private static func writeUTF8(_ v: UInt32, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        switch v {
        case 0..<0x80:
            out[0] = UInt8(v); return 1
        case 0x80..<0x800:
            out[0] = UInt8(0xC0 | v >> 6); out[1] = UInt8(0x80 | v & 0x3F); return 2
        case 0x800..<0x10000:
            out[0] = UInt8(0xE0 | v >> 12); out[1] = UInt8(0x80 | v >> 6 & 0x3F); out[2] = UInt8(0x80 | v & 0x3F)
            return 3
        default:
            out[0] = UInt8(0xF0 | v >> 18); out[1] = UInt8(0x80 | v >> 12 & 0x3F)
            out[2] = UInt8(0x80 | v >> 6 & 0x3F); out[3] = UInt8(0x80 | v & 0x3F)
            return 4
        }
    }

    /// Scans a JSON number at `p[i]`; returns (end, isInteger).
    @inline(__always)
    private func scanNumber(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int) throws(JSONIssue) -> Bool {
        let start = i
        @inline(__always) func digits() -> Int {
            let s = i
            while i < n, p[i] &- 48 < 10 { i += 1 }
            return i - s
        }
        if i < n, p[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        let intDigits = digits()
        guard intDigits > 0, !(intDigits > 1 && p[intStart] == UInt8(ascii: "0")) else {
            throw .syntax("invalid number", position: start)
        }
        var integer = true
        if i < n, p[i] == UInt8(ascii: ".") {
            i += 1
            integer = false
            guard digits() > 0 else { throw .syntax("invalid number", position: start) }
        }
        if i < n, p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            integer = false
            if i < n, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw .syntax("invalid number", position: start) }
        }
        return integer
    }

    /// Skips any JSON value at `p[i]` (ignored keys, and to measure bad values).
    private func skipValue(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int) throws(JSONIssue) {
        var depth = 0
        repeat {
            while i < n, Self.isSpace(p[i]) { i += 1 }
            guard i < n else { throw .syntax("expected a value", position: i) }
            let c = p[i]
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1; i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard depth > 0 else { throw .syntax("unexpected '\(Character(Unicode.Scalar(c)))'", position: i) }
                depth -= 1; i += 1
            case UInt8(ascii: ","), UInt8(ascii: ":"):
                guard depth > 0 else { throw .syntax("expected a value", position: i) }
                i += 1
            case UInt8(ascii: "\""): _ = try scanString(p, n, &i)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try scanNumber(p, n, &i)
            default:
                guard try scanLiteral(p, n, &i) != nil else { throw .syntax("expected a value", position: i) }
            }
        } while depth > 0
    }

    /// Scans `true`, `false` or `null`: 1, 0, or -1; nil when none is there.
    @inline(__always)
    private func scanLiteral(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int) throws(JSONIssue) -> Int? {
        func word(_ w: StaticString) -> Bool {
            let count = w.utf8CodeUnitCount
            guard i + count <= n, memcmp(p + i, w.utf8Start, count) == 0 else { return false }
            i += count
            return true
        }
        if word("true") { return 1 }
        if word("false") { return 0 }
        if word("null") { return -1 }
        return nil
    }

    /// Parses one value at `p[i]` into column `slot`, row `row`.
    @inline(__always)
    private func parseValue(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int, slot: Int, row: Int) throws(JSONIssue) {
        let builder = batch.builders + slot
        let start = i
        let c = p[i]
        switch c {
        case UInt8(ascii: "\""):
            let (s, e, escaped) = try scanString(p, n, &i)
            switch builder.pointee.kind {
            case .string, .timestamp, .bytes:
                var text = UnsafePointer(p + s)
                var count = e - s
                if escaped {
                    count = try unescape(p, s, e)
                    text = UnsafePointer(scratch)
                }
                if count == 0 && builder.pointee.kind != .string {
                    if builder.pointee.kind == .bytes { builder.pointee.setBinary(text, 0, row: row); return }
                    throw .value(.invalid, slot: slot, start: s, end: e, quoted: true)
                }
                if let issue = builder.pointee.parseText(text, count, row: row) {
                    throw .value(issue, slot: slot, start: s, end: e, quoted: true)
                }
            default:
                throw .value(.invalid, slot: slot, start: s, end: e, quoted: true)
            }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let integer = try scanNumber(p, n, &i)
            let count = i - start
            switch builder.pointee.kind {
            case .float64:
                guard let v = NumberParsing.double(p + start, count) else {
                    throw .value(.invalid, slot: slot, start: start, end: i, quoted: false)
                }
                builder.pointee.setFloat64(v, row: row)
            case .float32:
                guard let v = NumberParsing.float(p + start, count) else {
                    throw .value(.invalid, slot: slot, start: start, end: i, quoted: false)
                }
                builder.pointee.setFloat32(v, row: row)
            case .int64, .int32:
                guard integer else { throw .value(.invalid, slot: slot, start: start, end: i, quoted: false) }
                if let issue = builder.pointee.parseText(p + start, count, row: row) {
                    throw .value(issue, slot: slot, start: start, end: i, quoted: false)
                }
            default:
                throw .value(.invalid, slot: slot, start: start, end: i, quoted: false)
            }
        case UInt8(ascii: "["):
            guard builder.pointee.kind == .vector else {
                try skipValue(p, n, &i)
                throw .value(.invalid, slot: slot, start: start, end: i, quoted: false)
            }
            try parseVector(p, n, &i, builder, slot: slot, row: row)
        case UInt8(ascii: "{"):
            try skipValue(p, n, &i)
            throw .value(.invalid, slot: slot, start: start, end: i, quoted: false)
        default:
            guard let literal = try scanLiteral(p, n, &i) else { throw .syntax("expected a value", position: i) }
            if literal < 0 {
                builder.pointee.setNull(row: row)
            } else if builder.pointee.kind == .bool {
                builder.pointee.setBool(literal == 1, row: row)
            } else {
                throw .value(.invalid, slot: slot, start: start, end: i, quoted: false)
            }
        }
    }

    private func parseVector(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int,
                             _ builder: UnsafeMutablePointer<ColumnBuilder>, slot: Int, row: Int) throws(JSONIssue) {
        let start = i
        let dimension = builder.pointee.dimension
        let out = (builder.pointee.fixed + row * dimension * 4).assumingMemoryBound(to: Float.self)
        var count = 0
        var bad = false
        i += 1
        while i < n, Self.isSpace(p[i]) { i += 1 }
        if i < n, p[i] == UInt8(ascii: "]") {
            i += 1
        } else {
            while true {
                while i < n, Self.isSpace(p[i]) { i += 1 }
                guard i < n else { throw .syntax("unterminated array", position: start) }
                if p[i] == UInt8(ascii: "-") || p[i] &- 48 < 10 {
                    let s = i
                    _ = try scanNumber(p, n, &i)
                    if let v = NumberParsing.float(p + s, i - s) {
                        if count < dimension { out[count] = v }
                    } else {
                        bad = true
                    }
                } else {
                    try skipValue(p, n, &i)
                    bad = true
                }
                count += 1
                while i < n, Self.isSpace(p[i]) { i += 1 }
                guard i < n else { throw .syntax("unterminated array", position: start) }
                if p[i] == UInt8(ascii: ",") { i += 1; continue }
                if p[i] == UInt8(ascii: "]") { i += 1; break }
                throw .syntax("expected ',' or ']'", position: i)
            }
        }
        if bad { throw .value(.invalid, slot: slot, start: start, end: i, quoted: false) }
        guard count == dimension else { throw .value(.vectorLength(got: count), slot: slot, start: start, end: i, quoted: false) }
        builder.pointee.validity[row] = true
    }
}
