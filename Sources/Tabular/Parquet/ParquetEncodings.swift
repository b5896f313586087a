// Parquet value and level encodings (apache/parquet-format Encodings.md):
// PLAIN, the RLE / bit-packed hybrid, DELTA_BINARY_PACKED,
// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT.
// Every decoder works on `data[start..<end]` and checks each read against `end`.

/// The dense (non-null) values of one column chunk, by physical type. Only the
/// array matching `type` is used. INT96 timestamps are held as UTC microseconds
/// in `int64s`; FIXED_LEN_BYTE_ARRAY values as binary.
struct PhysicalValues {
    let type: PhysicalType
    var bools: [Bool] = []
    var int32s: [Int32] = []
    var int64s: [Int64] = []
    var floats: [Float] = []
    var doubles: [Double] = []
    /// Binary value `i` is `bytes[offsets[i]..<offsets[i+1]]`.
    var offsets: [Int] = [0]
    var bytes: [UInt8] = []

    init(type: PhysicalType) { self.type = type }

    /// Reserves room for `n` values (offsets only, for binary).
    mutating func reserve(_ n: Int) {
        switch type {
        case .boolean: bools.reserveCapacity(n)
        case .int32: int32s.reserveCapacity(n)
        case .int64, .int96: int64s.reserveCapacity(n)
        case .float: floats.reserveCapacity(n)
        case .double: doubles.reserveCapacity(n)
        case .byteArray, .fixedLenByteArray: offsets.reserveCapacity(n + 1)
        }
    }

    var count: Int {
        switch type {
        case .boolean: bools.count
        case .int32: int32s.count
        case .int64, .int96: int64s.count
        case .float: floats.count
        case .double: doubles.count
        case .byteArray, .fixedLenByteArray: offsets.count - 1
        }
    }

    /// Appends `dictionary[i]` for each index, checking every index.
    mutating func gather(from dictionary: PhysicalValues, _ indices: [UInt32]) throws(ParquetIssue) {
        let n = UInt32(dictionary.count)
        let m = indices.count
        try indices.withUnsafeBufferPointer { (ix) throws(ParquetIssue) in
            // One pass for the largest index (vectorizes), then the first bad one for the message.
            var largest: UInt32 = 0
            for i in ix { largest = Swift.max(largest, i) }
            if m > 0 && largest >= n {
                for i in ix where i >= n {
                    throw ParquetIssue("dictionary index \(i) out of range (dictionary has \(n) values)")
                }
            }
            @inline(__always)
            func fixed<T>(_ out: inout [T], _ dict: [T], _ zero: T) {
                dict.withUnsafeBufferPointer { d in
                    Encodings.appendFilled(&out, m, zero: zero) { p in
                        for k in 0..<m { p[k] = d[Int(ix[k])] }
                    }
                }
            }
            switch type {
            case .boolean: fixed(&bools, dictionary.bools, false)
            case .int32: fixed(&int32s, dictionary.int32s, 0)
            case .int64, .int96: fixed(&int64s, dictionary.int64s, 0)
            case .float: fixed(&floats, dictionary.floats, 0)
            case .double: fixed(&doubles, dictionary.doubles, 0)
            case .byteArray, .fixedLenByteArray:
                dictionary.offsets.withUnsafeBufferPointer { o in
                    var total = 0
                    for k in 0..<m { let i = Int(ix[k]); total += o[i + 1] - o[i] }
                    var end = bytes.count
                    Encodings.appendFilled(&offsets, m, zero: 0) { p in
                        for k in 0..<m {
                            let i = Int(ix[k])
                            end += o[i + 1] - o[i]
                            p[k] = end
                        }
                    }
                    dictionary.bytes.withUnsafeBufferPointer { d in
                        Encodings.appendFilled(&bytes, total, zero: 0) { p in
                            var at = 0
                            for k in 0..<m {
                                let i = Int(ix[k])
                                let a = o[i], len = o[i + 1] - a
                                (p + at).update(from: d.baseAddress! + a, count: len)
                                at += len
                            }
                        }
                    }
                }
            }
        }
    }
}

enum Encodings {
    // MARK: Little helpers

    /// Makes room for `n` more elements, growing geometrically: a
    /// `reserveCapacity(count + n)` per page would reallocate (and copy the
    /// whole column so far) on every page.
    @inline(__always)
    static func reserve<T>(_ a: inout [T], adding n: Int) {
        let need = a.count + n
        if a.capacity < need { a.reserveCapacity(Swift.max(need, 2 * a.capacity)) }
    }

    /// Appends `n` elements that `fill` writes (all of them) through a pointer
    /// to the first, instead of `n` appends.
    @inline(__always)
    static func appendFilled<T, E: Error>(_ a: inout [T], _ n: Int, zero: T,
                                          _ fill: (UnsafeMutablePointer<T>) throws(E) -> Void) throws(E) {
        guard n > 0 else { return }
        reserve(&a, adding: n)
        let old = a.count
        a.append(contentsOf: repeatElement(zero, count: n))
        try a.withUnsafeMutableBufferPointer { (o) throws(E) in try fill(o.baseAddress! + old) }
    }

    /// Appends `n` little-endian fixed-width numbers (integers, floats) from
    /// `src`: one copy on little-endian hosts.
    @inline(__always)
    static func appendRaw<T: BitwiseCopyable>(_ a: inout [T], _ src: UnsafeRawPointer, _ n: Int, zero: T) {
        appendFilled(&a, n, zero: zero) { p in
            let w = MemoryLayout<T>.stride
            let raw = UnsafeMutableRawPointer(p)
            raw.copyMemory(from: src, byteCount: n * w)
            #if !_endian(little)
            let bytes = raw.assumingMemoryBound(to: UInt8.self)
            for k in 0..<n {
                var i = k * w, j = k * w + w - 1
                while i < j { (bytes[i], bytes[j]) = (bytes[j], bytes[i]); i += 1; j -= 1 }
            }
            #endif
        }
    }

    /// How many `levels` equal `maxLevel`, and the largest level (a single
    /// branch-free pass that vectorizes).
    static func levelStats(_ levels: UnsafeBufferPointer<UInt8>, _ maxLevel: UInt8) -> (count: Int, largest: UInt8) {
        guard let base = levels.baseAddress else { return (0, 0) }
        let n = levels.count
        var count = 0
        var largest = SIMD16<UInt8>(repeating: 0)
        let target = SIMD16<UInt8>(repeating: maxLevel)
        let one = SIMD16<UInt8>(repeating: 1), zero = SIMD16<UInt8>(repeating: 0)
        var k = 0
        while k + 16 <= n {
            // Up to 255 blocks of 16 per byte-wide tally.
            var tally = zero
            let stop = Swift.min(n, k + 255 * 16)
            while k + 16 <= stop {
                let v = UnsafeRawPointer(base + k).loadUnaligned(as: SIMD16<UInt8>.self)
                largest = pointwiseMax(largest, v)
                tally &+= zero.replacing(with: one, where: v .== target)
                k += 16
            }
            count += Int(SIMD16<UInt16>(truncatingIfNeeded: tally).wrappedSum())
        }
        var top = largest.max()
        while k < n {
            top = Swift.max(top, base[k])
            count += base[k] == maxLevel ? 1 : 0
            k += 1
        }
        return (count, top)
    }

    /// `n` values of `width` bits (1...32, each fitting T) bit-packed LSB first from `pos`.
    /// The caller has checked that the bytes holding them lie before `end`.
    @inline(__always)
    static func unpack<T: FixedWidthInteger>(_ d: UnsafeBufferPointer<UInt8>, _ pos: Int, _ end: Int, width: Int,
                                            count n: Int, into p: UnsafeMutablePointer<T>) {
        let base = d.baseAddress! + pos
        var k = 0
        if width == 1 {
            while k + 8 <= n {
                let b = base[k >> 3]
                for j in 0..<8 { p[k + j] = T(truncatingIfNeeded: (b >> UInt8(j)) & 1) }
                k += 8
            }
        }
        let mask: UInt64 = (1 << UInt64(width)) - 1
        let fast = end - pos - 8  // byte offsets whose 8-byte load stays inside the data
        while k < n {
            let bit = k * width
            let byte = bit >> 3
            let word = byte <= fast
                ? UInt64(littleEndian: UnsafeRawPointer(base + byte).loadUnaligned(as: UInt64.self))
                : load64(d, pos + byte, end)
            p[k] = T(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
            k += 1
        }
    }

    /// A varint (ULEB128) at `pos`, advancing it.
    static func varint(_ data: UnsafeBufferPointer<UInt8>, _ pos: inout Int, _ end: Int) throws(ParquetIssue) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard pos < end else { throw ParquetIssue("encoded data ends inside a varint") }
            let b = data[pos]
            pos += 1
            if shift == 63 && b > 1 { throw ParquetIssue("varint overflows 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetIssue("varint longer than 10 bytes") }
        }
    }

    static func zigzag(_ data: UnsafeBufferPointer<UInt8>, _ pos: inout Int, _ end: Int) throws(ParquetIssue) -> Int64 {
        let v = try varint(data, &pos, end)
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    /// 8 little-endian bytes from `at`, zero-filled past `end`.
    @inline(__always)
    static func load64(_ data: UnsafeBufferPointer<UInt8>, _ at: Int, _ end: Int) -> UInt64 {
        if at + 8 <= end {
            return UnsafeRawPointer(data.baseAddress! + at).loadUnaligned(as: UInt64.self).littleEndian
        }
        var v: UInt64 = 0
        var k = 0
        while at + k < end && k < 8 {
            v |= UInt64(data[at + k]) << (8 * UInt64(k))
            k += 1
        }
        return v
    }

    /// `width` bits (0...64) starting at bit `bit` of the packed area beginning at byte `base`.
    @inline(__always)
    static func bits(_ data: UnsafeBufferPointer<UInt8>, base: Int, bit: Int, width: Int, end: Int) -> UInt64 {
        if width == 0 { return 0 }
        let byte = base + bit >> 3
        let shift = UInt64(bit & 7)
        var v = load64(data, byte, end) >> shift
        if width + Int(shift) > 64 {
            v |= load64(data, byte + 8, end) << (64 - shift)
        }
        return width == 64 ? v : v & ((1 << UInt64(width)) - 1)
    }

    // MARK: RLE / bit-packed hybrid

    /// Decodes `count` values of `bitWidth` bits (RLE / bit-packed hybrid, no
    /// length prefix) from `data[start..<end]`, appending them to `out`.
    /// Returns the position after the last run read.
    @discardableResult
    static func decodeHybrid<T: FixedWidthInteger>(_ data: [UInt8], _ start: Int, _ end: Int, bitWidth: Int,
                                                   count: Int, into out: inout [T]) throws(ParquetIssue) -> Int {
        guard bitWidth >= 0 && bitWidth <= 32 else { throw ParquetIssue("bit width \(bitWidth) out of range") }
        guard start >= 0, start <= end, end <= data.count else { throw ParquetIssue("levels extend past the page") }
        if bitWidth == 0 {
            appendFilled(&out, count, zero: 0) { _ in }
            return start
        }
        let maxValue = UInt64(T.max)
        // Every bitWidth-bit value fits T (always, for levels and dictionary
        // indices): the values are written straight into `out`.
        guard (UInt64(1) << UInt64(bitWidth)) - 1 <= maxValue else {
            return try decodeHybridChecked(data, start, end, bitWidth: bitWidth, count: count, into: &out)
        }
        var pos = start
        try data.withUnsafeBufferPointer { (d) throws(ParquetIssue) in
            try appendFilled(&out, count, zero: 0) { (p) throws(ParquetIssue) in
                var done = 0
                let valueBytes = (bitWidth + 7) / 8
                while done < count {
                    let left = count - done
                    let header = try varint(d, &pos, end)
                    if header & 1 == 0 {
                        let run = header >> 1
                        guard pos + valueBytes <= end else { throw ParquetIssue("RLE run ends past the data") }
                        var value: UInt64 = 0
                        for k in 0..<valueBytes { value |= UInt64(d[pos + k]) << (8 * UInt64(k)) }
                        pos += valueBytes
                        guard value <= maxValue, value >> UInt64(bitWidth) == 0 else {
                            throw ParquetIssue("RLE value \(value) wider than \(bitWidth) bits")
                        }
                        let n = Int(min(run, UInt64(left)))
                        if value != 0 { (p + done).update(repeating: T(truncatingIfNeeded: value), count: n) }
                        done += n
                    } else {
                        let groups = header >> 1
                        guard groups <= UInt64(end - pos) else { throw ParquetIssue("bit-packed run ends past the data") }
                        let n = min(Int(groups) * 8, left)
                        // Only the bytes holding the values still wanted must be present.
                        let needed = (n * bitWidth + 7) / 8
                        guard pos + needed <= end else { throw ParquetIssue("bit-packed run ends past the data") }
                        unpack(d, pos, end, width: bitWidth, count: n, into: p + done)
                        done += n
                        pos = min(end, pos + Int(groups) * bitWidth)
                    }
                }
            }
        }
        return pos
    }

    /// ``decodeHybrid(_:_:_:bitWidth:count:into:)`` for a `T` narrower than
    /// `bitWidth`: every value is range-checked.
    private static func decodeHybridChecked<T: FixedWidthInteger>(_ data: [UInt8], _ start: Int, _ end: Int, bitWidth: Int,
                                                                 count: Int, into out: inout [T]) throws(ParquetIssue) -> Int {
        reserve(&out, adding: count)
        let maxValue = UInt64(T.max)
        return try data.withUnsafeBufferPointer { (d) throws(ParquetIssue) -> Int in
            var pos = start
            var left = count
            let valueBytes = (bitWidth + 7) / 8
            while left > 0 {
                let header = try varint(d, &pos, end)
                if header & 1 == 0 {
                    let run = header >> 1
                    guard pos + valueBytes <= end else { throw ParquetIssue("RLE run ends past the data") }
                    var value: UInt64 = 0
                    for k in 0..<valueBytes { value |= UInt64(d[pos + k]) << (8 * UInt64(k)) }
                    pos += valueBytes
                    guard value <= maxValue, bitWidth == 64 || value >> UInt64(bitWidth) == 0 else {
                        throw ParquetIssue("RLE value \(value) wider than \(bitWidth) bits")
                    }
                    let n = Int(min(run, UInt64(left)))
                    out.append(contentsOf: repeatElement(T(truncatingIfNeeded: value), count: n))
                    left -= n
                } else {
                    let groups = header >> 1
                    guard groups <= UInt64(end - pos) else { throw ParquetIssue("bit-packed run ends past the data") }
                    let values = Int(groups) * 8
                    let n = min(values, left)
                    // Only the bytes holding the values still wanted must be present.
                    let needed = (n * bitWidth + 7) / 8
                    guard pos + needed <= end else { throw ParquetIssue("bit-packed run ends past the data") }
                    let mask: UInt64 = (1 << UInt64(bitWidth)) - 1
                    for k in 0..<n {
                        let bit = k * bitWidth
                        let v = (load64(d, pos + bit >> 3, end) >> UInt64(bit & 7)) & mask
                        guard v <= maxValue else { throw ParquetIssue("bit-packed value out of range") }
                        out.append(T(truncatingIfNeeded: v))
                    }
                    left -= n
                    pos = min(end, pos + Int(groups) * bitWidth)
                }
            }
            return pos
        }
    }

    /// Bits needed to represent `maxValue`.
    static func bitWidth(_ maxValue: UInt64) -> Int { maxValue == 0 ? 0 : 64 - maxValue.leadingZeroBitCount }

    /// Encodes `values` as an RLE / bit-packed hybrid run sequence (no length prefix).
    static func encodeHybrid<T: FixedWidthInteger>(_ values: [T], bitWidth: Int, into out: inout [UInt8]) {
        values.withUnsafeBufferPointer { encodeHybrid($0, bitWidth: bitWidth, into: &out) }
    }

    /// Encodes `values` as an RLE / bit-packed hybrid run sequence (no length prefix):
    /// runs of 8 or more equal values (starting on a group boundary) as RLE
    /// runs, everything else bit-packed in groups of 8 (at most 63 groups per run).
    static func encodeHybrid<T: FixedWidthInteger>(_ values: UnsafeBufferPointer<T>, bitWidth: Int, into out: inout [UInt8]) {
        precondition(bitWidth <= 32)
        guard bitWidth > 0 else {
            // Width 0: one RLE run of zeros.
            appendVarint(UInt64(values.count) << 1, &out)
            return
        }
        let n = values.count
        guard n > 0 else { return }
        let v = values.baseAddress!
        let valueBytes = (bitWidth + 7) / 8
        let mask: UInt64 = (1 << UInt64(bitWidth)) - 1
        // Values waiting to be bit-packed: always the contiguous v[pendingStart ..< pendingStart + pendingCount].
        var pendingStart = 0
        var pendingCount = 0
        func flushPacked() {
            var start = pendingStart
            var left = pendingCount
            while left > 0 {
                let chunk = min(left, 63 * 8)
                let groups = (chunk + 7) / 8
                appendVarint(UInt64(groups) << 1 | 1, &out)
                // groups * 8 values (zero-padded) of bitWidth bits: exactly groups * bitWidth bytes, LSB first.
                let first = start
                appendFilled(&out, groups * bitWidth, zero: 0) { p in
                    // 32 bits at a time; the zero padding is already in place.
                    var acc: UInt64 = 0
                    var accBits = 0
                    var at = 0
                    let raw = UnsafeMutableRawPointer(p)
                    for k in 0..<chunk {
                        acc |= (UInt64(truncatingIfNeeded: v[first + k]) & mask) << UInt64(accBits)
                        accBits += bitWidth
                        if accBits >= 32 {
                            raw.storeBytes(of: UInt32(truncatingIfNeeded: acc).littleEndian, toByteOffset: at, as: UInt32.self)
                            at += 4
                            acc >>= 32
                            accBits -= 32
                        }
                    }
                    while accBits > 0 {
                        p[at] = UInt8(truncatingIfNeeded: acc)
                        at += 1
                        acc >>= 8
                        accBits -= 8
                    }
                }
                start += chunk
                left -= chunk
            }
            pendingCount = 0
        }
        var i = 0
        while i < n {
            let x = v[i]
            var run = 1
            if T.self == UInt8.self {
                // Levels: compare 8 bytes at a time.
                let raw = UnsafeRawPointer(v)
                let word = UInt64(truncatingIfNeeded: x) &* 0x0101_0101_0101_0101
                while i + run + 8 <= n && raw.loadUnaligned(fromByteOffset: i + run, as: UInt64.self) == word { run += 8 }
            }
            while i + run < n && v[i + run] == x { run += 1 }
            if pendingCount % 8 != 0 {
                // Fill the open bit-packed group first.
                let take = min(run, 8 - pendingCount % 8)
                pendingCount += take
                i += take
                continue
            }
            if run >= 8 {
                flushPacked()
                appendVarint(UInt64(run) << 1, &out)
                let u = UInt64(truncatingIfNeeded: x)
                for k in 0..<valueBytes { out.append(UInt8(truncatingIfNeeded: u >> (8 * UInt64(k)))) }
            } else {
                if pendingCount == 0 { pendingStart = i }
                pendingCount += run
            }
            i += run
        }
        flushPacked()
    }

    static func appendVarint(_ value: UInt64, _ out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    // MARK: PLAIN

    /// Decodes `count` PLAIN values from `data[start..<end]`, appending to `values`.
    /// `typeLength` is the FIXED_LEN_BYTE_ARRAY width.
    static func decodePlain(_ data: [UInt8], _ start: Int, _ end: Int, count: Int, typeLength: Int,
                            into values: inout PhysicalValues) throws(ParquetIssue) {
        guard start >= 0, start <= end, end <= data.count, count >= 0 else { throw ParquetIssue("values extend past the page") }
        let available = end - start
        func need(_ width: Int) throws(ParquetIssue) {
            guard count <= available / max(width, 1) else {
                throw ParquetIssue("page holds \(available) bytes, too few for \(count) values")
            }
        }
        try data.withUnsafeBufferPointer { (d) throws(ParquetIssue) in
            let base = UnsafeRawPointer(d.baseAddress!) + start
            switch values.type {
            case .boolean:
                guard count <= available * 8 else { throw ParquetIssue("page too short for \(count) booleans") }
                let packed = d.baseAddress! + start
                appendFilled(&values.bools, count, zero: false) { p in
                    for k in 0..<count { p[k] = packed[k >> 3] >> UInt8(k & 7) & 1 == 1 }
                }
            case .int32:
                try need(4)
                appendRaw(&values.int32s, base, count, zero: 0)
            case .int64:
                try need(8)
                appendRaw(&values.int64s, base, count, zero: 0)
            case .int96:
                try need(12)
                appendFilled(&values.int64s, count, zero: 0) { p in
                    for k in 0..<count {
                        let nanos = Int64(littleEndian: base.loadUnaligned(fromByteOffset: 12 * k, as: Int64.self))
                        let day = Int32(littleEndian: base.loadUnaligned(fromByteOffset: 12 * k + 8, as: Int32.self))
                        p[k] = int96Micros(day: day, nanos: nanos)
                    }
                }
            case .float:
                try need(4)
                appendRaw(&values.floats, base, count, zero: 0)
            case .double:
                try need(8)
                appendRaw(&values.doubles, base, count, zero: 0)
            case .byteArray:
                try need(4)
                // Pass 1 checks every length and sizes the output; pass 2 copies.
                var pos = start
                var total = 0
                for _ in 0..<count {
                    guard pos + 4 <= end else { throw ParquetIssue("BYTE_ARRAY value past the end of the page") }
                    let n = Int(UInt32(littleEndian: UnsafeRawPointer(d.baseAddress! + pos).loadUnaligned(as: UInt32.self)))
                    pos += 4
                    guard n <= end - pos else { throw ParquetIssue("BYTE_ARRAY value of \(n) bytes past the end of the page") }
                    total += n
                    pos += n
                }
                var offset = values.bytes.count
                appendFilled(&values.offsets, count, zero: 0) { o in
                    var at = start
                    for k in 0..<count {
                        let n = Int(UInt32(littleEndian: UnsafeRawPointer(d.baseAddress! + at).loadUnaligned(as: UInt32.self)))
                        offset += n
                        o[k] = offset
                        at += 4 + n
                    }
                }
                appendFilled(&values.bytes, total, zero: 0) { b in
                    var at = start
                    var written = 0
                    for _ in 0..<count {
                        let n = Int(UInt32(littleEndian: UnsafeRawPointer(d.baseAddress! + at).loadUnaligned(as: UInt32.self)))
                        (b + written).update(from: d.baseAddress! + at + 4, count: n)
                        written += n
                        at += 4 + n
                    }
                }
            case .fixedLenByteArray:
                guard typeLength > 0 else { throw ParquetIssue("FIXED_LEN_BYTE_ARRAY without a positive length") }
                try need(typeLength)
                values.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: d[start..<start + count * typeLength]))
                var o = values.offsets.last!
                for _ in 0..<count { o += typeLength; values.offsets.append(o) }
            }
        }
    }

    /// An INT96 (Impala/Spark) timestamp as UTC microseconds, nanoseconds floored.
    static func int96Micros(day: Int32, nanos: Int64) -> Int64 {
        let days = Int64(day) - 2_440_588  // Julian day of 1970-01-01
        let floorMicros = nanos >= 0 ? nanos / 1000 : -((-nanos + 999) / 1000)
        return days &* 86_400_000_000 &+ floorMicros
    }

    // MARK: BYTE_STREAM_SPLIT

    static func decodeByteStreamSplit(_ data: [UInt8], _ start: Int, _ end: Int, count: Int, typeLength: Int,
                                      into values: inout PhysicalValues) throws(ParquetIssue) {
        let width: Int
        switch values.type {
        case .float, .int32: width = 4
        case .double, .int64: width = 8
        case .fixedLenByteArray: width = typeLength
        default: throw ParquetIssue("BYTE_STREAM_SPLIT is not defined for \(values.type.name)")
        }
        guard width > 0, count >= 0, count <= (end - start) / width else {
            throw ParquetIssue("BYTE_STREAM_SPLIT page too short for \(count) values")
        }
        var joined = [UInt8](repeating: 0, count: count * width)
        for k in 0..<count {
            for b in 0..<width { joined[k * width + b] = data[start + b * count + k] }
        }
        try decodePlain(joined, 0, joined.count, count: count, typeLength: typeLength, into: &values)
    }

    // MARK: DELTA_BINARY_PACKED

    /// Decodes a DELTA_BINARY_PACKED stream of at most `limit` values from
    /// `data[start..<end]`; returns the values and the position after them.
    static func decodeDeltaBinaryPacked(_ data: [UInt8], _ start: Int, _ end: Int,
                                        limit: Int) throws(ParquetIssue) -> ([Int64], Int) {
        guard start >= 0, start <= end, end <= data.count else { throw ParquetIssue("delta data past the page") }
        return try data.withUnsafeBufferPointer { (d) throws(ParquetIssue) -> ([Int64], Int) in
            var pos = start
            let blockSize = try varint(d, &pos, end)
            let miniblocks = try varint(d, &pos, end)
            let total = try varint(d, &pos, end)
            var last = try zigzag(d, &pos, end)
            guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 20, miniblocks > 0, blockSize % miniblocks == 0,
                  (blockSize / miniblocks) % 32 == 0 else {
                throw ParquetIssue("DELTA_BINARY_PACKED header is invalid (block \(blockSize), miniblocks \(miniblocks))")
            }
            guard total <= UInt64(limit) else {
                throw ParquetIssue("DELTA_BINARY_PACKED claims \(total) values, page has at most \(limit)")
            }
            let count = Int(total)
            let perMini = Int(blockSize / miniblocks)
            var out: [Int64] = []
            out.reserveCapacity(count)
            if count == 0 { return (out, pos) }
            out.append(last)
            while out.count < count {
                let minDelta = try zigzag(d, &pos, end)
                guard pos + Int(miniblocks) <= end else { throw ParquetIssue("DELTA_BINARY_PACKED block past the end") }
                let widthsAt = pos
                pos += Int(miniblocks)
                for m in 0..<Int(miniblocks) where out.count < count {
                    let width = Int(d[widthsAt + m])
                    guard width <= 64 else { throw ParquetIssue("DELTA_BINARY_PACKED bit width \(width)") }
                    let bytes = perMini * width / 8
                    let n = min(perMini, count - out.count)
                    guard pos + (n * width + 7) / 8 <= end else { throw ParquetIssue("DELTA_BINARY_PACKED miniblock past the end") }
                    for k in 0..<n {
                        let delta = bits(d, base: pos, bit: k * width, width: width, end: end)
                        last = last &+ minDelta &+ Int64(bitPattern: delta)
                        out.append(last)
                    }
                    pos = min(end, pos + bytes)
                }
            }
            return (out, pos)
        }
    }

    // MARK: DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY

    static func decodeDeltaLengthByteArray(_ data: [UInt8], _ start: Int, _ end: Int, count: Int,
                                           into values: inout PhysicalValues) throws(ParquetIssue) -> Int {
        let (lengths, dataStart) = try decodeDeltaBinaryPacked(data, start, end, limit: count)
        guard lengths.count == count else {
            throw ParquetIssue("DELTA_LENGTH_BYTE_ARRAY holds \(lengths.count) lengths, expected \(count)")
        }
        var pos = dataStart
        for n in lengths {
            guard n >= 0, n <= Int64(end - pos) else { throw ParquetIssue("DELTA_LENGTH_BYTE_ARRAY value past the end") }
            values.bytes.append(contentsOf: data[pos..<pos + Int(n)])
            values.offsets.append(values.bytes.count)
            pos += Int(n)
        }
        return pos
    }

    static func decodeDeltaByteArray(_ data: [UInt8], _ start: Int, _ end: Int, count: Int,
                                     into values: inout PhysicalValues) throws(ParquetIssue) {
        let (prefixes, suffixStart) = try decodeDeltaBinaryPacked(data, start, end, limit: count)
        guard prefixes.count == count else {
            throw ParquetIssue("DELTA_BYTE_ARRAY holds \(prefixes.count) prefix lengths, expected \(count)")
        }
        var suffixes = PhysicalValues(type: .byteArray)
        _ = try decodeDeltaLengthByteArray(data, suffixStart, end, count: count, into: &suffixes)
        var previous: [UInt8] = []
        for k in 0..<count {
            let p = prefixes[k]
            guard p >= 0, p <= Int64(previous.count) else {
                throw ParquetIssue("DELTA_BYTE_ARRAY prefix of \(p) bytes, previous value has \(previous.count)")
            }
            var value = Array(previous[0..<Int(p)])
            value.append(contentsOf: suffixes.bytes[suffixes.offsets[k]..<suffixes.offsets[k + 1]])
            values.bytes.append(contentsOf: value)
            values.offsets.append(values.bytes.count)
            previous = value
        }
    }

    // MARK: Writer helpers

    /// PLAIN encoding of booleans (bit-packed, LSB first).
    static func plainBools(_ values: [Bool], into out: inout [UInt8]) {
        var byte: UInt8 = 0
        for (k, v) in values.enumerated() {
            if v { byte |= 1 << UInt8(k & 7) }
            if k & 7 == 7 { out.append(byte); byte = 0 }
        }
        if values.count & 7 != 0 { out.append(byte) }
    }
}
