// Row selection on a decoded column: the Parquet reader decodes a whole row
// group, then hands it out in batch-sized pieces.

extension Column {
    /// Rows `range` as a new column.
    func slice(_ range: Range<Int>) -> Column {
        if range == 0..<count { return self }
        let storage: Storage
        switch self.storage {
        case .bool(let a): storage = .bool(Array(a[range]))
        case .int32(let a): storage = .int32(Array(a[range]))
        case .int64(let a): storage = .int64(Array(a[range]))
        case .float32(let a): storage = .float32(Array(a[range]))
        case .float64(let a): storage = .float64(Array(a[range]))
        case .binary(let o, let b):
            let base = o[range.lowerBound]
            storage = .binary(offsets: o[range.lowerBound...range.upperBound].map { $0 - base },
                              bytes: Array(b[base..<o[range.upperBound]]))
        case .vector(let n, let v):
            storage = .vector(dimension: n, values: Array(v[(range.lowerBound * n)..<(range.upperBound * n)]))
        }
        return Column(type: type, storage: storage, validity: Array(validity[range]))
    }

    /// The rows at `rows` (ascending), as a new column.
    func gather(_ rows: [Int]) -> Column {
        let storage: Storage
        switch self.storage {
        case .bool(let a): storage = .bool(rows.map { a[$0] })
        case .int32(let a): storage = .int32(rows.map { a[$0] })
        case .int64(let a): storage = .int64(rows.map { a[$0] })
        case .float32(let a): storage = .float32(rows.map { a[$0] })
        case .float64(let a): storage = .float64(rows.map { a[$0] })
        case .binary(let o, let b):
            var offsets = [0]
            var bytes: [UInt8] = []
            for r in rows {
                bytes.append(contentsOf: b[o[r]..<o[r + 1]])
                offsets.append(bytes.count)
            }
            storage = .binary(offsets: offsets, bytes: bytes)
        case .vector(let n, let v):
            var values: [Float] = []
            values.reserveCapacity(rows.count * n)
            for r in rows { values.append(contentsOf: v[(r * n)..<((r + 1) * n)]) }
            storage = .vector(dimension: n, values: values)
        }
        return Column(type: type, storage: storage, validity: rows.map { validity[$0] })
    }
}

extension Column {
    /// Appends every row of `other`, which must have the same type.
    mutating func append(_ other: Column) {
        precondition(other.type == type, "appending a \(other.type) column to a \(type) column")
        validity.append(contentsOf: other.validity)
        switch (storage, other.storage) {
        case (.bool(var a), .bool(let b)): storage = .bool([]); a += b; storage = .bool(a)
        case (.int32(var a), .int32(let b)): storage = .bool([]); a += b; storage = .int32(a)
        case (.int64(var a), .int64(let b)): storage = .bool([]); a += b; storage = .int64(a)
        case (.float32(var a), .float32(let b)): storage = .bool([]); a += b; storage = .float32(a)
        case (.float64(var a), .float64(let b)): storage = .bool([]); a += b; storage = .float64(a)
        case (.binary(var o, var b), .binary(let o2, let b2)):
            storage = .bool([])
            let base = b.count - (o2.first ?? 0)
            o.append(contentsOf: o2.dropFirst().map { $0 + base })
            b += b2[(o2.first ?? 0)...]
            storage = .binary(offsets: o, bytes: b)
        case (.vector(let n, var v), .vector(_, let v2)): storage = .bool([]); v += v2; storage = .vector(dimension: n, values: v)
        default: preconditionFailure("storage does not match the column type")
        }
    }
}
