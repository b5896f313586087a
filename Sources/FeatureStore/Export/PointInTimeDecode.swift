import Tabular

/// Turns a joined block back into output batches in input order: each input
/// batch becomes one output batch, its columns followed by the features, read
/// from the chosen events' rows (only the requested features, O(1) each).
///
/// Decoding is row-major per table: in input order the chosen events are
/// scattered over the map, so each event is touched once and all of its
/// table's requested features are taken while its bytes are in cache (a
/// feature-by-feature pass cost one cache and TLB miss per feature and row:
/// half the join's time on 10M events).
extension PointInTimePlan {
    /// The output batch for input batch `b` of `block`, decoded from the
    /// block's copies of the chosen events.
    func output(_ block: PointInTimeBlock, batch b: Int) -> RecordBatch {
        let input = block.batches[b]
        var columns = input.columns
        var features = [Column?](repeating: nil, count: self.features.count)
        let first = block.starts[b], rows = input.rowCount
        for (t, table) in tables.enumerated() {
            let decoded = block.events[t].withValues(first..<first + rows) { Self.decode(table, $0, 0, rows) }
            for (k, column) in decoded.enumerated() {
                features[table.outputs[k].column - entityFields.count] = column
            }
        }
        columns.append(contentsOf: features.map { $0! })
        return RecordBatch(fields: outputFields, columns: columns, sourceLines: input.sourceLines)
    }

    /// The requested features of one table for rows `start..<start+rows` of a block.
    private static func decode(_ table: Table, _ chosen: [UnsafeRawBufferPointer?], _ start: Int, _ rows: Int) -> [Column] {
        let outputs = table.outputs
        let k = outputs.count
        let versions = table.fixedBytes.count
        // Per output: 1/4/8 = fixed width read into `bits`; 0 = string/bytes; -n = float32[n].
        let kind: [Int] = outputs.map { o in
            switch o.type {
            case .string, .bytes: 0
            case .float32Vector(let n): -n
            default: o.type.fixedWidth!
            }
        }
        // Flat [output × version] tables of feature index and slot offset.
        var index = [Int](repeating: -1, count: k * versions)
        var slot = [Int](repeating: 0, count: k * versions)
        for (j, o) in outputs.enumerated() {
            for v in 0..<versions where v < o.featureIndex.count {
                index[j * versions + v] = o.featureIndex[v]
                slot[j * versions + v] = o.slotOffset[v]
            }
        }
        var bits = [UInt64](repeating: 0, count: k * rows)
        var valid = [Bool](repeating: false, count: k * rows)
        // String and bytes values: where each is in its event, gathered here
        // and copied into their columns in a pass per column after the rows
        // (appending to an array of arrays in the row loop checked each inner
        // array's uniqueness and bounds per value).
        var varIndex = [Int](repeating: -1, count: k)
        var varCount = 0
        for j in 0..<k where kind[j] == 0 { varIndex[j] = varCount; varCount += 1 }
        var spans = [(start: Int, count: Int)](repeating: (0, 0), count: varCount * rows)
        var vectors = [[Float]](repeating: [], count: k)
        for j in 0..<k where kind[j] < 0 { vectors[j] = [Float](repeating: 0, count: rows * -kind[j]) }
        var varColumns: [(offsets: [Int], bytes: [UInt8])] = []
        chosen.withUnsafeBufferPointer { chosen in
        table.fixedBytes.withUnsafeBufferPointer { fixedBytes in
        index.withUnsafeBufferPointer { index in
        slot.withUnsafeBufferPointer { slot in
        kind.withUnsafeBufferPointer { kind in
        bits.withUnsafeMutableBufferPointer { bits in
        valid.withUnsafeMutableBufferPointer { valid in
        varIndex.withUnsafeBufferPointer { varIndex in
        spans.withUnsafeMutableBufferPointer { spans in
            // Versions of the next rows, loaded in a tight loop first: the events
            // are scattered (in the walk's order, not the rows'), and independent
            // loads let the CPU wait for many cache and TLB misses at once instead
            // of one per row. The middle and last bytes are loaded too, so that
            // every cache line of a ~100-byte value is on its way; `zero` (0 at
            // run time, unknown to the compiler) keeps those loads.
            var ahead = [Int](repeating: -1, count: 32)
            let zero = rows >> 62
            for r in 0..<rows {
                if r & 31 == 0 {
                    for a in 0..<min(32, rows - r) {
                        if let value = chosen[start + r + a], value.count >= 4, let p = value.baseAddress {
                            let version = Int(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
                            let touched = Int(p.load(fromByteOffset: value.count >> 1, as: UInt8.self))
                                ^ Int(p.load(fromByteOffset: value.count - 1, as: UInt8.self))
                            ahead[a] = version | (touched & zero)
                        } else {
                            ahead[a] = -1
                        }
                    }
                }
                let version = ahead[r & 31]
                guard version >= 0, version < versions, let value = chosen[start + r], let p = value.baseAddress else { continue }
                let row = p + 4
                let rowCount = value.count - 4
                let fixed = fixedBytes[version]
                // A row shorter than its version's fixed part is damaged: null (`fsctl check` reports it).
                guard fixed >= 0, rowCount >= fixed else { continue }
                for j in 0..<k {
                    let f = index[j * versions + version]
                    guard f >= 0, (row + (f >> 3)).load(as: UInt8.self) & (1 << UInt8(f & 7)) != 0 else { continue }
                    let at = row + slot[j * versions + version]
                    switch kind[j] {
                    case 8: bits[j * rows + r] = UInt64(littleEndian: at.loadUnaligned(as: UInt64.self))
                    case 4: bits[j * rows + r] = UInt64(UInt32(littleEndian: at.loadUnaligned(as: UInt32.self)))
                    case 1: bits[j * rows + r] = UInt64(at.load(as: UInt8.self))
                    case 0:
                        let off = Int(UInt32(littleEndian: at.loadUnaligned(as: UInt32.self)))
                        let len = Int(UInt32(littleEndian: at.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
                        guard fixed + off + len <= rowCount else { continue }  // damaged: null
                        // Offset of the value in the block's chosen-event bytes' row r.
                        spans[varIndex[j] * rows + r] = (4 + fixed + off, len)
                    default:
                        let n = -kind[j]
                        for e in 0..<n {
                            vectors[j][r * n + e] = Float(bitPattern: UInt32(littleEndian: at.loadUnaligned(fromByteOffset: 4 * e, as: UInt32.self)))
                        }
                    }
                    valid[j * rows + r] = true
                }
            }
            // The string and bytes columns, one at a time.
            for j in 0..<k where kind[j] == 0 {
                let v = varIndex[j] * rows
                var total = 0
                for r in 0..<rows where valid[j * rows + r] { total += spans[v + r].count }
                var offsets = [Int](repeating: 0, count: rows + 1)
                var bytes = [UInt8](repeating: 0, count: total)
                offsets.withUnsafeMutableBufferPointer { offsets in
                    bytes.withUnsafeMutableBytes { out in
                        var o = 0
                        for r in 0..<rows {
                            if valid[j * rows + r], let p = chosen[start + r]?.baseAddress {
                                let span = spans[v + r]
                                if span.count > 0 {
                                    out.baseAddress!.advanced(by: o).copyMemory(from: p + span.start, byteCount: span.count)
                                    o += span.count
                                }
                            }
                            offsets[r + 1] = o
                        }
                    }
                }
                varColumns.append((offsets, bytes))
            }
        }}}}}}}}}
        var nextVar = 0
        /// Output `j`'s values converted from their bits, in a tight loop over
        /// a buffer (a map over an array slice appended element by element).
        func values<T>(_ j: Int, _ convert: (UInt64) -> T) -> [T] {
            [T](unsafeUninitializedCapacity: rows) { out, n in
                bits.withUnsafeBufferPointer { b in
                    for r in 0..<rows { out.initializeElement(at: r, to: convert(b[j * rows + r])) }
                }
                n = rows
            }
        }
        return outputs.enumerated().map { j, o in
            let validity = Array(valid[(j * rows)..<(j * rows + rows)])
            let storage: Column.Storage
            switch o.type {
            case .bool: storage = .bool(values(j) { $0 != 0 })
            case .int32: storage = .int32(values(j) { Int32(truncatingIfNeeded: $0) })
            case .int64, .timestamp: storage = .int64(values(j) { Int64(bitPattern: $0) })
            case .float32: storage = .float32(values(j) { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) })
            case .float64: storage = .float64(values(j) { Double(bitPattern: $0) })
            case .string, .bytes:
                storage = .binary(offsets: varColumns[nextVar].offsets, bytes: varColumns[nextVar].bytes)
                nextVar += 1
            case .float32Vector(let n): storage = .vector(dimension: n, values: vectors[j])
            }
            return Column(type: o.type, storage: storage, validity: validity)
        }
    }
}
