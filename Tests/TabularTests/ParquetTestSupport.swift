import Foundation
import Tabular
import Testing

/// The Python oracle (tools/parquet_interop.py in the .venv that `make venv`
/// builds), or nil with a visible note when the venv is absent.
enum ParquetOracle {
    /// The package root, from this file's path.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()  // TabularTests
        url.deleteLastPathComponent()  // Tests
        url.deleteLastPathComponent()
        return url.path
    }()

    static let python = root + "/.venv/bin/python"
    static let script = root + "/tools/parquet_interop.py"

    /// True when the venv exists; otherwise prints why the interop tests skip.
    static var available: Bool {
        let ok = FileManager.default.isExecutableFile(atPath: python)
        if !ok {
            print("◇ Parquet interop tests skipped: \(python) is missing (run `make venv` to create it)")
        }
        return ok
    }

    /// Runs the script; returns stdout, or nil (recording an issue) on failure.
    static func run(_ arguments: [String]) -> Data? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            Issue.record("cannot run \(python): \(error)")
            return nil
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Issue.record("parquet_interop.py \(arguments.joined(separator: " ")) failed: \(String(decoding: errors, as: UTF8.self))")
            return nil
        }
        return data
    }

    /// A canonical cell (see parquet_interop.py) as a Value of `type`.
    static func value(_ cell: Any, _ type: DataType) -> Value? {
        if cell is NSNull { return nil }
        if case .float32Vector = type {
            guard let list = cell as? [Any] else { return nil }
            return .vector(list.map { Float(Double(($0 as? String) ?? "") ?? .nan) })
        }
        guard let text = cell as? String else { return nil }
        switch type {
        case .bool: return .bool(text == "true")
        case .int32: return Int32(text).map { .int32($0) }
        case .int64: return Int64(text).map { .int64($0) }
        case .timestamp: return Int64(text).map { .timestamp($0) }
        case .float32: return Double(text).map { .float32(Float($0)) }
        case .float64: return Double(text).map { .float64($0) }
        case .string: return .string(text)
        case .bytes:
            let hex = Array(text.dropFirst(4).utf8)
            var bytes: [UInt8] = []
            var k = 0
            while k + 1 < hex.count {
                bytes.append(UInt8(String(decoding: hex[k...k + 1], as: UTF8.self), radix: 16)!)
                k += 2
            }
            return .bytes(bytes)
        case .float32Vector: return nil
        }
    }
}

/// Reads every batch of a Parquet file.
func readParquet(_ path: String, schema: [Field], options: ReadOptions = ReadOptions()) throws(TabularError) -> ReadResult {
    let reader = try ParquetReader(path: path)
    let iterator = try reader.batches(schema: schema, options: options)
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
