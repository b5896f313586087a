import Tabular

/// Encodes the accepted rows of a ``RecordBatch`` into event keys and values,
/// column by column (each column's storage is unwrapped once per batch, not
/// once per row), appending to an ``EventChunk``.
struct BatchEncoder {
    let schema: TableWriteSchema
    /// Batch columns of the join keys, in key order.
    let keyColumns: [Int]
    /// For each feature of the table version, its batch column (nil = absent).
    let featureColumns: [Int?]
    /// `schema version (u32 LE)`, the head of every event value.
    let valueHeader: [UInt8]

    init(schema: TableWriteSchema, keyColumns: [Int], featureColumns: [Int?]) {
        self.schema = schema
        self.keyColumns = keyColumns
        self.featureColumns = featureColumns
        var header: [UInt8] = []
        withUnsafeBytes(of: UInt32(schema.version.version).littleEndian) { header.append(contentsOf: $0) }
        valueHeader = header
    }

    /// Appends keys (`prefix · entity · order`) and values of `rows` to `chunk`.
    /// `orders[k]` is the order suffix of `rows[k]`.
    func encode(rows: [Int32], orders: [EventOrder], of batch: RecordBatch, into chunk: inout EventChunk) {
        guard !rows.isEmpty else { return }
        encodeKeys(rows: rows, orders: orders, batch: batch, chunk: &chunk)
        encodeValues(rows: rows, batch: batch, chunk: &chunk)
    }

    private func encodeKeys(rows: [Int32], orders: [EventOrder], batch: RecordBatch, chunk: inout EventChunk) {
        let n = rows.count
        // Pass 1: key lengths.
        var lengths = [Int](repeating: schema.prefix.count + KeyCodec.orderSuffixBytes, count: n)
        for ci in keyColumns {
            switch batch.columns[ci].storage {
            case .int64: for k in 0..<n { lengths[k] += 8 }
            case .int32: for k in 0..<n { lengths[k] += 4 }
            case .binary(let offsets, let bytes):
                bytes.withUnsafeBufferPointer { b in
                    for k in 0..<n {
                        let r = Int(rows[k])
                        var escaped = 2
                        for i in offsets[r]..<offsets[r + 1] { escaped += b[i] == 0 ? 2 : 1 }
                        lengths[k] += escaped
                    }
                }
            default: preconditionFailure("join key of type \(batch.columns[ci].type)")
            }
        }
        var starts = [Int](repeating: 0, count: n)
        var total = chunk.keys.count
        for k in 0..<n {
            starts[k] = total
            total += lengths[k]
            chunk.keyEnds.append(total)
        }
        let base = chunk.keys.count
        chunk.keys.append(contentsOf: repeatElement(0, count: total - base))
        chunk.keys.withUnsafeMutableBytes { out in
            var at = starts  // write cursor per row
            for k in 0..<n {
                for b in schema.prefix { out[at[k]] = b; at[k] += 1 }
            }
            for ci in keyColumns {
                switch batch.columns[ci].storage {
                case .int64(let a):
                    a.withUnsafeBufferPointer { p in
                        for k in 0..<n {
                            out.storeBytes(of: (UInt64(bitPattern: p[Int(rows[k])]) ^ (1 << 63)).bigEndian,
                                           toByteOffset: at[k], as: UInt64.self)
                            at[k] += 8
                        }
                    }
                case .int32(let a):
                    a.withUnsafeBufferPointer { p in
                        for k in 0..<n {
                            out.storeBytes(of: (UInt32(bitPattern: p[Int(rows[k])]) ^ (1 << 31)).bigEndian,
                                           toByteOffset: at[k], as: UInt32.self)
                            at[k] += 4
                        }
                    }
                case .binary(let offsets, let bytes):
                    bytes.withUnsafeBufferPointer { b in
                        for k in 0..<n {
                            let r = Int(rows[k])
                            var i = at[k]
                            for j in offsets[r]..<offsets[r + 1] {
                                out[i] = b[j]; i += 1
                                if b[j] == 0 { out[i] = 0xFF; i += 1 }
                            }
                            out[i] = 0; out[i + 1] = 1
                            at[k] = i + 2
                        }
                    }
                default: break
                }
            }
            for k in 0..<n {
                let o = orders[k]
                let p = at[k]
                out.storeBytes(of: (UInt64(bitPattern: o.eventTimestamp) ^ (1 << 63)).bigEndian, toByteOffset: p, as: UInt64.self)
                out.storeBytes(of: (UInt64(bitPattern: o.createdTimestamp) ^ (1 << 63)).bigEndian, toByteOffset: p + 8, as: UInt64.self)
                out.storeBytes(of: o.batchId.bigEndian, toByteOffset: p + 16, as: UInt64.self)
                out.storeBytes(of: o.sequence.bigEndian, toByteOffset: p + 24, as: UInt32.self)
            }
        }
    }

    private func encodeValues(rows: [Int32], batch: RecordBatch, chunk: inout EventChunk) {
        let n = rows.count
        let layout = schema.layout
        let fixed = valueHeader.count + layout.fixedBytes
        // Pass 1: value lengths (fixed part + string/bytes payloads).
        var lengths = [Int](repeating: fixed, count: n)
        for ci in featureColumns {
            guard let ci, case .binary(let offsets, _) = batch.columns[ci].storage else { continue }
            batch.columns[ci].validity.withUnsafeBufferPointer { valid in
                for k in 0..<n {
                    let r = Int(rows[k])
                    if valid[r] { lengths[k] += offsets[r + 1] - offsets[r] }
                }
            }
        }
        var starts = [Int](repeating: 0, count: n)
        var total = chunk.values.count
        for k in 0..<n {
            starts[k] = total
            total += lengths[k]
            chunk.valueEnds.append(total)
        }
        let base = chunk.values.count
        chunk.values.append(contentsOf: repeatElement(0, count: total - base))
        chunk.values.withUnsafeMutableBytes { out in
            let h = valueHeader.count
            for k in 0..<n {
                for (i, b) in valueHeader.enumerated() { out[starts[k] + i] = b }
            }
            var varUsed = [Int](repeating: 0, count: n)
            for (f, ci) in featureColumns.enumerated() {
                guard let ci else { continue }
                let column = batch.columns[ci]
                let slot = h + layout.slotOffsets[f]
                let bitByte = h + (f >> 3)
                let bit = UInt8(1) << UInt8(f & 7)
                column.validity.withUnsafeBufferPointer { valid in
                    switch column.storage {
                    case .bool(let a):
                        a.withUnsafeBufferPointer { p in
                            for k in 0..<n where valid[Int(rows[k])] {
                                out[starts[k] + bitByte] |= bit
                                out[starts[k] + slot] = p[Int(rows[k])] ? 1 : 0
                            }
                        }
                    case .int32(let a):
                        a.withUnsafeBufferPointer { p in
                            for k in 0..<n where valid[Int(rows[k])] {
                                out[starts[k] + bitByte] |= bit
                                out.storeBytes(of: p[Int(rows[k])].littleEndian, toByteOffset: starts[k] + slot, as: Int32.self)
                            }
                        }
                    case .int64(let a):
                        a.withUnsafeBufferPointer { p in
                            for k in 0..<n where valid[Int(rows[k])] {
                                out[starts[k] + bitByte] |= bit
                                out.storeBytes(of: p[Int(rows[k])].littleEndian, toByteOffset: starts[k] + slot, as: Int64.self)
                            }
                        }
                    case .float32(let a):
                        a.withUnsafeBufferPointer { p in
                            for k in 0..<n where valid[Int(rows[k])] {
                                out[starts[k] + bitByte] |= bit
                                out.storeBytes(of: p[Int(rows[k])].bitPattern.littleEndian, toByteOffset: starts[k] + slot, as: UInt32.self)
                            }
                        }
                    case .float64(let a):
                        a.withUnsafeBufferPointer { p in
                            for k in 0..<n where valid[Int(rows[k])] {
                                out[starts[k] + bitByte] |= bit
                                out.storeBytes(of: p[Int(rows[k])].bitPattern.littleEndian, toByteOffset: starts[k] + slot, as: UInt64.self)
                            }
                        }
                    case .vector(let dimension, let values):
                        values.withUnsafeBufferPointer { p in
                            for k in 0..<n where valid[Int(rows[k])] {
                                out[starts[k] + bitByte] |= bit
                                let r = Int(rows[k])
                                for d in 0..<dimension {
                                    out.storeBytes(of: p[r * dimension + d].bitPattern.littleEndian,
                                                   toByteOffset: starts[k] + slot + 4 * d, as: UInt32.self)
                                }
                            }
                        }
                    case .binary(let offsets, let bytes):
                        bytes.withUnsafeBufferPointer { b in
                            for k in 0..<n where valid[Int(rows[k])] {
                                let r = Int(rows[k])
                                let lo = offsets[r], len = offsets[r + 1] - offsets[r]
                                out[starts[k] + bitByte] |= bit
                                out.storeBytes(of: UInt32(varUsed[k]).littleEndian, toByteOffset: starts[k] + slot, as: UInt32.self)
                                out.storeBytes(of: UInt32(len).littleEndian, toByteOffset: starts[k] + slot + 4, as: UInt32.self)
                                let dst = starts[k] + fixed + varUsed[k]
                                if len > 0 {
                                    (out.baseAddress! + dst).copyMemory(from: b.baseAddress! + lo, byteCount: len)
                                }
                                varUsed[k] += len
                            }
                        }
                    }
                }
            }
        }
    }
}
