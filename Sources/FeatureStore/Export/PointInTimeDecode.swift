import Tabular

/// Turns a joined block back into output batches in input order: each input
/// batch becomes one output batch, its columns followed by the features, read
/// from the chosen events' rows (only the requested features, O(1) each).
extension PointInTimePlan {
    /// The output batch for input batch `b` of `block`. Reads the map through
    /// `block.chosen`: call only while the join's read transaction is open.
    func output(_ block: PointInTimeBlock, batch b: Int) -> RecordBatch {
        let input = block.batches[b]
        let start = block.starts[b]
        let rows = input.rowCount
        var columns = input.columns
        columns.reserveCapacity(outputFields.count)
        var featureColumns = [Column?](repeating: nil, count: features.count)
        for (t, table) in tables.enumerated() {
            let chosen = block.chosen[t]
            for output in table.outputs {
                featureColumns[output.column - entityFields.count] =
                    Self.column(output, table, chosen, start, rows)
            }
        }
        columns.append(contentsOf: featureColumns.map { $0! })
        return RecordBatch(fields: outputFields, columns: columns, sourceLines: input.sourceLines)
    }

    /// One feature column for rows `start..<start+rows` of a block.
    private static func column(_ o: Output, _ table: Table, _ chosen: [UnsafeRawBufferPointer?],
                               _ start: Int, _ rows: Int) -> Column {
        var validity = [Bool](repeating: false, count: rows)
        /// The event row and the feature's index and slot in it, when the row has a value.
        @inline(__always)
        func locate(_ r: Int) -> (row: UnsafeRawBufferPointer, slot: Int, fixed: Int)? {
            guard let value = chosen[start + r], value.count >= 4 else { return nil }
            let version = Int(UInt32(littleEndian: value.loadUnaligned(as: UInt32.self)))
            guard version < o.featureIndex.count else { return nil }
            let f = o.featureIndex[version]
            guard f >= 0 else { return nil }
            let row = UnsafeRawBufferPointer(rebasing: value[4...])
            // A row shorter than its version's fixed part is damaged: null (`fsctl check` reports it).
            guard row.count >= table.fixedBytes[version], row[f >> 3] & (1 << UInt8(f & 7)) != 0 else { return nil }
            validity[r] = true
            return (row, o.slotOffset[version], table.fixedBytes[version])
        }
        func fixedWidth<T>(_ zero: T, _ read: (UnsafeRawBufferPointer, Int) -> T) -> [T] {
            var values = [T](repeating: zero, count: rows)
            for r in 0..<rows {
                if let (row, slot, _) = locate(r) { values[r] = read(row, slot) }
            }
            return values
        }
        let storage: Column.Storage
        switch o.type {
        case .bool:
            storage = .bool(fixedWidth(false) { row, slot in row[slot] != 0 })
        case .int32:
            storage = .int32(fixedWidth(0) { row, slot in Int32(littleEndian: row.loadUnaligned(fromByteOffset: slot, as: Int32.self)) })
        case .int64, .timestamp:
            storage = .int64(fixedWidth(0) { row, slot in Int64(littleEndian: row.loadUnaligned(fromByteOffset: slot, as: Int64.self)) })
        case .float32:
            storage = .float32(fixedWidth(0) { row, slot in
                Float(bitPattern: UInt32(littleEndian: row.loadUnaligned(fromByteOffset: slot, as: UInt32.self)))
            })
        case .float64:
            storage = .float64(fixedWidth(0) { row, slot in
                Double(bitPattern: UInt64(littleEndian: row.loadUnaligned(fromByteOffset: slot, as: UInt64.self)))
            })
        case .string, .bytes:
            var offsets = [Int](repeating: 0, count: rows + 1)
            var bytes: [UInt8] = []
            for r in 0..<rows {
                if let (row, slot, fixed) = locate(r) {
                    let off = Int(UInt32(littleEndian: row.loadUnaligned(fromByteOffset: slot, as: UInt32.self)))
                    let len = Int(UInt32(littleEndian: row.loadUnaligned(fromByteOffset: slot + 4, as: UInt32.self)))
                    if fixed + off + len <= row.count {
                        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: row[(fixed + off)..<(fixed + off + len)]))
                    } else {
                        validity[r] = false   // a damaged row reads as null; `fsctl check` reports it
                    }
                }
                offsets[r + 1] = bytes.count
            }
            storage = .binary(offsets: offsets, bytes: bytes)
        case .float32Vector(let n):
            var values = [Float](repeating: 0, count: rows * n)
            for r in 0..<rows {
                if let (row, slot, _) = locate(r) {
                    for k in 0..<n {
                        values[r * n + k] = Float(bitPattern: UInt32(littleEndian: row.loadUnaligned(fromByteOffset: slot + 4 * k, as: UInt32.self)))
                    }
                }
            }
            storage = .vector(dimension: n, values: values)
        }
        return Column(type: o.type, storage: storage, validity: validity)
    }
}
