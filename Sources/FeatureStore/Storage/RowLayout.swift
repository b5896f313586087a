import Tabular

/// The binary layout of one schema version's feature values, shared by event
/// values and online values:
///
/// `presence bitmap (⌈n/8⌉ bytes, bit i set = feature i not null)` ·
/// `fixed slots in feature order` · `variable area`.
///
/// Fixed slots hold numbers little-endian (bool 1 byte, int32/float32 4,
/// int64/float64/timestamp 8, `float32[N]` 4·N); `string`/`bytes` slots hold a
/// `u32 offset, u32 length` into the variable area. Any feature is reachable in
/// O(1) without decoding the others.
public struct RowLayout: Sendable, Equatable {
    public let types: [DataType]
    public let bitmapBytes: Int
    /// Byte offset of each feature's fixed slot from the start of the row.
    public let slotOffsets: [Int]
    /// Bytes before the variable area.
    public let fixedBytes: Int

    public init(types: [DataType]) {
        self.types = types
        bitmapBytes = (types.count + 7) / 8
        var offsets: [Int] = []
        var at = bitmapBytes
        for t in types {
            offsets.append(at)
            at += t.fixedWidth ?? 8
        }
        slotOffsets = offsets
        fixedBytes = at
    }

    @inline(__always)
    public func isPresent(_ row: UnsafeRawBufferPointer, _ feature: Int) -> Bool {
        row[feature >> 3] & (1 << UInt8(feature & 7)) != 0
    }

    /// Checks that `row` is long enough for this layout and that every
    /// variable-length slot points inside it. Used by `fsctl check`.
    public func validate(_ row: UnsafeRawBufferPointer) -> Bool {
        guard row.count >= fixedBytes else { return false }
        for (i, t) in types.enumerated() where t.fixedWidth == nil && isPresent(row, i) {
            let off = Int(row.loadUnaligned(fromByteOffset: slotOffsets[i], as: UInt32.self).littleEndian)
            let len = Int(row.loadUnaligned(fromByteOffset: slotOffsets[i] + 4, as: UInt32.self).littleEndian)
            guard fixedBytes + off + len <= row.count else { return false }
        }
        return true
    }

    // MARK: Reading one feature

    @inline(__always)
    public func int64(_ row: UnsafeRawBufferPointer, _ f: Int) -> Int64 {
        Int64(littleEndian: row.loadUnaligned(fromByteOffset: slotOffsets[f], as: Int64.self))
    }

    @inline(__always)
    public func int32(_ row: UnsafeRawBufferPointer, _ f: Int) -> Int32 {
        Int32(littleEndian: row.loadUnaligned(fromByteOffset: slotOffsets[f], as: Int32.self))
    }

    @inline(__always)
    public func float64(_ row: UnsafeRawBufferPointer, _ f: Int) -> Double {
        Double(bitPattern: UInt64(littleEndian: row.loadUnaligned(fromByteOffset: slotOffsets[f], as: UInt64.self)))
    }

    @inline(__always)
    public func float32(_ row: UnsafeRawBufferPointer, _ f: Int) -> Float {
        Float(bitPattern: UInt32(littleEndian: row.loadUnaligned(fromByteOffset: slotOffsets[f], as: UInt32.self)))
    }

    @inline(__always)
    public func bool(_ row: UnsafeRawBufferPointer, _ f: Int) -> Bool { row[slotOffsets[f]] != 0 }

    /// The bytes of a `string`/`bytes` feature (zero-copy slice of `row`).
    @inline(__always)
    public func bytes(_ row: UnsafeRawBufferPointer, _ f: Int) -> UnsafeRawBufferPointer {
        let off = Int(row.loadUnaligned(fromByteOffset: slotOffsets[f], as: UInt32.self).littleEndian)
        let len = Int(row.loadUnaligned(fromByteOffset: slotOffsets[f] + 4, as: UInt32.self).littleEndian)
        return UnsafeRawBufferPointer(rebasing: row[(fixedBytes + off)..<(fixedBytes + off + len)])
    }

    /// Appends feature `f` of `row` to `column` (which has the feature's type),
    /// or a null when it is absent.
    @inline(__always)
    public func append(_ row: UnsafeRawBufferPointer, _ f: Int, to column: inout Column) {
        guard isPresent(row, f) else { column.appendNull(); return }
        switch types[f] {
        case .bool: column.appendBool(bool(row, f))
        case .int32: column.appendInt32(int32(row, f))
        case .int64, .timestamp: column.appendInt64(int64(row, f))
        case .float32: column.appendFloat32(float32(row, f))
        case .float64: column.appendFloat64(float64(row, f))
        case .string, .bytes: column.appendBytes(bytes(row, f))
        case .float32Vector(let n):
            let base = slotOffsets[f]
            var v = [Float](repeating: 0, count: n)
            for k in 0..<n {
                v[k] = Float(bitPattern: UInt32(littleEndian: row.loadUnaligned(fromByteOffset: base + 4 * k, as: UInt32.self)))
            }
            column.appendVector(v)
        }
    }

    /// Feature `f` of `row` as a ``Value`` (nil when null).
    public func value(_ row: UnsafeRawBufferPointer, _ f: Int) -> Value? {
        var c = Column(type: types[f], capacity: 1)
        append(row, f, to: &c)
        return c.value(at: 0)
    }
}

/// Encodes rows of a ``RecordBatch`` in a ``RowLayout``, appending to a flat
/// byte buffer (no per-row allocation).
public struct RowEncoder {
    public let layout: RowLayout
    /// For each feature of the layout, the batch column holding it (nil = absent → null).
    public let columnIndex: [Int?]

    public init(layout: RowLayout, columnIndex: [Int?]) {
        precondition(layout.types.count == columnIndex.count)
        self.layout = layout
        self.columnIndex = columnIndex
    }

    /// Appends row `r` of `batch` to `out`.
    public func encode(row r: Int, of batch: RecordBatch, to out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: layout.fixedBytes))
        var varBytes = 0
        for (f, ci) in columnIndex.enumerated() {
            guard let ci else { continue }
            let col = batch.columns[ci]
            guard col.validity[r] else { continue }
            out[start + (f >> 3)] |= 1 << UInt8(f & 7)
            let at = start + layout.slotOffsets[f]
            switch col.storage {
            case .bool(let a): out[at] = a[r] ? 1 : 0
            case .int32(let a): store(UInt32(bitPattern: a[r]).littleEndian, &out, at)
            case .int64(let a): store(UInt64(bitPattern: a[r]).littleEndian, &out, at)
            case .float32(let a): store(a[r].bitPattern.littleEndian, &out, at)
            case .float64(let a): store(a[r].bitPattern.littleEndian, &out, at)
            case .binary(let offsets, let bytes):
                let lo = offsets[r], hi = offsets[r + 1]
                store(UInt32(varBytes).littleEndian, &out, at)
                store(UInt32(hi - lo).littleEndian, &out, at + 4)
                out.append(contentsOf: bytes[lo..<hi])
                varBytes += hi - lo
            case .vector(let n, let values):
                for k in 0..<n { store(values[r * n + k].bitPattern.littleEndian, &out, at + 4 * k) }
            }
        }
    }

    @inline(__always)
    private func store<T: FixedWidthInteger>(_ x: T, _ out: inout [UInt8], _ at: Int) {
        out.withUnsafeMutableBytes { $0.storeBytes(of: x, toByteOffset: at, as: T.self) }
    }
}
