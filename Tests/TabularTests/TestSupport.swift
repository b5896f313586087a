#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Tabular
import Testing

/// A file under /tmp with a unique name, removed by `remove()`.
struct TempFile {
    let path: String

    init(_ name: String = "data.csv") {
        path = "/tmp/tabular-test-\(UInt64.random(in: 0...UInt64.max))-\(name)"
    }

    init(_ contents: String, name: String = "data.csv") { self.init(Array(contents.utf8), name: name) }

    init(_ bytes: [UInt8], name: String = "data.csv") {
        self.init(name)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0)
        bytes.withUnsafeBytes { b in
            var done = 0
            while done < b.count { done += write(fd, b.baseAddress! + done, b.count - done) }
        }
        close(fd)
    }

    func contents() -> [UInt8] {
        let fd = open(path, O_RDONLY)
        precondition(fd >= 0)
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            out += chunk[..<n]
        }
        return out
    }

    func remove() { unlink(path) }
}

/// Everything a reader produced, batches concatenated.
struct ReadResult {
    var batches: [RecordBatch] = []
    var rows: [[Value?]] = []
    var lines: [Int] = []
    var rejected: [RejectedRow] = []
}

enum Format { case csv, jsonl }

func readAll(_ text: String, format: Format = .csv, schema: [Field], options: ReadOptions = ReadOptions(),
             chunkSize: Int = 4 << 20) throws(TabularError) -> ReadResult {
    try readAll(bytes: Array(text.utf8), format: format, schema: schema, options: options, chunkSize: chunkSize)
}

func readAll(bytes: [UInt8], format: Format = .csv, schema: [Field], options: ReadOptions = ReadOptions(),
             chunkSize: Int = 4 << 20) throws(TabularError) -> ReadResult {
    let file = TempFile(bytes, name: format == .csv ? "events.csv" : "events.jsonl")
    defer { file.remove() }
    return try readFile(file.path, format: format, schema: schema, options: options, chunkSize: chunkSize)
}

func readFile(_ path: String, format: Format = .csv, schema: [Field], options: ReadOptions = ReadOptions(),
              chunkSize: Int = 4 << 20) throws(TabularError) -> ReadResult {
    let iterator: BatchIterator
    switch format {
    case .csv: iterator = try CSVReader(path: path, chunkSize: chunkSize).batches(schema: schema, options: options)
    case .jsonl: iterator = try JSONLReader(path: path, chunkSize: chunkSize).batches(schema: schema, options: options)
    }
    var result = ReadResult()
    while let batch = try iterator.next() {
        #expect(batch.fields == schema)
        for column in batch.columns { #expect(column.count == batch.rowCount) }
        result.batches.append(batch)
        for row in 0..<batch.rowCount { result.rows.append(batch.columns.map { $0.value(at: row) }) }
        result.lines += batch.sourceLines
        result.rejected += batch.rejected
    }
    return result
}

/// The error `body` throws, if any.
func failure(_ body: () throws(TabularError) -> Void) -> TabularError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

/// The message of the error reading `text` throws (path replaced by `events.csv`/`events.jsonl`).
func readError(_ text: String, format: Format = .csv, schema: [Field], options: ReadOptions = ReadOptions()) -> String? {
    let error = failure { () throws(TabularError) in
        _ = try readAll(text, format: format, schema: schema, options: options)
    }
    guard var error else { return nil }
    error.file = format == .csv ? "events.csv" : "events.jsonl"
    return error.description
}
