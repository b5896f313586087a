/// The stored form of a ``FeatureSummary`` (docs/storage-format.md,
/// "Feature statistics"). Little-endian fixed-width fields, LEB128 varints for
/// sketch bucket counts and string lengths.
extension FeatureSummary {
    /// The value-encoding version written first in every record.
    static let encodingVersion: UInt8 = 1

    func encoded() -> [UInt8] {
        var out: [UInt8] = [Self.encodingVersion, kind.rawValue]
        out.reserveCapacity(64)
        Self.put(count, &out)
        Self.put(nulls, &out)
        switch kind {
        case .events, .other:
            break
        case .numeric:
            Self.put(nonFinite, &out)
            Self.put(moments.min.bitPattern, &out)
            Self.put(moments.max.bitPattern, &out)
            Self.put(moments.mean.bitPattern, &out)
            Self.put(moments.m2.bitPattern, &out)
            let s = sketch!
            Self.put(s.alpha.bitPattern, &out)
            Self.put(s.zeroCount, &out)
            Self.put(s.positive, &out)
            Self.put(s.negative, &out)
        case .categorical:
            let t = top!
            Self.put(UInt32(t.capacity), &out)
            Self.put(UInt32(t.counters.count), &out)
            for (value, n) in t.counters.sorted(by: { $0.key < $1.key }) {
                let bytes = Array(value.utf8)
                Self.varint(UInt64(bytes.count), &out)
                out += bytes
                Self.varint(n, &out)
            }
        }
        return out
    }

    /// Decodes a stored record; throws `corrupt` naming `what` (the key) when malformed.
    init(decoding p: UnsafeRawBufferPointer, what: @autoclosure () -> String) throws {
        var r = Reader(p: p)
        func bad(_ why: String) -> FeatureStoreError { .corrupt("feature statistics \(what()): \(why)") }
        guard let version = r.byte(), version == Self.encodingVersion else {
            throw bad("unknown value encoding (expected version \(Self.encodingVersion))")
        }
        guard let k = r.byte(), let kind = Kind(rawValue: k) else { throw bad("unknown kind") }
        self.init(kind: kind)
        guard let count = r.u64(), let nulls = r.u64() else { throw bad("truncated") }
        self.count = count
        self.nulls = nulls
        switch kind {
        case .events, .other:
            break
        case .numeric:
            guard let nonFinite = r.u64(), let lo = r.u64(), let hi = r.u64(), let mean = r.u64(), let m2 = r.u64(),
                  let alpha = r.u64(), let zeros = r.u64(),
                  let positive = r.store(), let negative = r.store(), nonFinite <= count else { throw bad("truncated") }
            let a = Double(bitPattern: alpha)
            guard a > 0 && a < 1 else { throw bad("sketch accuracy \(a) out of range") }
            self.nonFinite = nonFinite
            moments = Moments(count: count - nonFinite, min: Double(bitPattern: lo), max: Double(bitPattern: hi),
                              mean: Double(bitPattern: mean), m2: Double(bitPattern: m2))
            var s = QuantileSketch(alpha: a)
            s.add(zeros: zeros, positive: positive, negative: negative)
            guard s.count == count - nonFinite else { throw bad("sketch holds \(s.count) values, expected \(count - nonFinite)") }
            sketch = s
        case .categorical:
            guard let capacity = r.u32(), capacity > 0, let n = r.u32() else { throw bad("truncated") }
            var t = TopValues(capacity: Int(capacity))
            for _ in 0..<n {
                guard let len = r.varint(), let bytes = r.bytes(Int(len)), let c = r.varint() else { throw bad("truncated") }
                t.add(String(decoding: bytes, as: UTF8.self), count: c)
            }
            top = t
        }
        guard r.at == p.count else { throw bad("\(p.count - r.at) trailing bytes") }
    }

    private static func put<T: FixedWidthInteger>(_ x: T, _ out: inout [UInt8]) {
        withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func put(_ s: BucketStore, _ out: inout [UInt8]) {
        put(UInt32(s.counts.count), &out)
        put(Int32(s.counts.isEmpty ? 0 : s.offset), &out)
        for c in s.counts { varint(c, &out) }
    }

    static func varint(_ x: UInt64, _ out: inout [UInt8]) {
        var x = x
        while x >= 0x80 { out.append(UInt8(x & 0x7F) | 0x80); x >>= 7 }
        out.append(UInt8(x))
    }

    /// A bounds-checked reader over a stored record.
    struct Reader {
        let p: UnsafeRawBufferPointer
        var at = 0

        mutating func byte() -> UInt8? {
            guard at < p.count else { return nil }
            defer { at += 1 }
            return p[at]
        }

        mutating func fixed<T: FixedWidthInteger & BitwiseCopyable>(_: T.Type) -> T? {
            let n = MemoryLayout<T>.size
            guard at + n <= p.count else { return nil }
            defer { at += n }
            return T(littleEndian: p.loadUnaligned(fromByteOffset: at, as: T.self))
        }

        mutating func u64() -> UInt64? { fixed(UInt64.self) }
        mutating func u32() -> UInt32? { fixed(UInt32.self) }

        mutating func varint() -> UInt64? {
            var x: UInt64 = 0, shift: UInt64 = 0
            while let b = byte() {
                guard shift < 64 else { return nil }
                x |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return x }
                shift += 7
            }
            return nil
        }

        mutating func bytes(_ n: Int) -> [UInt8]? {
            guard n >= 0, at + n <= p.count else { return nil }
            defer { at += n }
            return Array(p[at..<(at + n)])
        }

        mutating func store() -> BucketStore? {
            guard let n = u32(), let offset = fixed(Int32.self), n <= UInt32(QuantileSketch.maxBuckets) else { return nil }
            var s = BucketStore()
            guard n > 0 else { return s }
            s.offset = Int(offset)
            s.counts.reserveCapacity(Int(n))
            for _ in 0..<n {
                guard let c = varint() else { return nil }
                s.counts.append(c)
                s.total += c
            }
            return s
        }
    }
}

extension QuantileSketch {
    /// Restores decoded bucket stores.
    mutating func add(zeros: UInt64, positive: BucketStore, negative: BucketStore) {
        zeroCount += zeros
        self.positive.merge(positive)
        self.negative.merge(negative)
    }
}
