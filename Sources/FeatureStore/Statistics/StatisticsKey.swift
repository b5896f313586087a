/// Keys of the `feature_stats` database (docs/storage-format.md):
///
/// - feature day: `01 · table id (u32 BE) · day (i32, sign-flipped BE) ·
///   schema version (u32 BE) · escaped feature name`; the empty name holds the
///   events of that day and version.
/// - rejected events: `02 · table id · day · escaped feature name · check (1 byte)`.
///
/// A day is ⌊event_timestamp / 86 400 000 000⌋ (UTC days since 1970-01-01), so
/// one table's days are contiguous and in order: a window is one range scan.
enum StatisticsKey {
    static let featureDay: UInt8 = 1
    static let rejected: UInt8 = 2
    static let microsPerDay: Int64 = 86_400_000_000

    /// The UTC day of a timestamp (floor division, also before 1970).
    @inline(__always)
    static func day(_ micros: Int64) -> Int32 {
        let d = micros >= 0 ? micros / microsPerDay : -((-micros + microsPerDay - 1) / microsPerDay)
        return Int32(clamping: d)
    }

    /// `kind · table id · day`: the start of a table's records of one kind and day.
    static func prefix(_ kind: UInt8, table: UInt32, day: Int32) -> [UInt8] {
        var out: [UInt8] = [kind]
        KeyCodec.appendUInt32(table, to: &out)
        KeyCodec.appendInt32(day, to: &out)
        return out
    }

    /// `kind · table id`: every record of a table of that kind.
    static func prefix(_ kind: UInt8, table: UInt32) -> [UInt8] {
        var out: [UInt8] = [kind]
        KeyCodec.appendUInt32(table, to: &out)
        return out
    }

    static func featureDay(table: UInt32, day: Int32, version: Int, feature: String) -> [UInt8] {
        var out = prefix(featureDay, table: table, day: day)
        KeyCodec.appendUInt32(UInt32(version), to: &out)
        KeyCodec.appendEscaped(feature.utf8, to: &out)
        return out
    }

    static func rejected(table: UInt32, day: Int32, feature: String, check: ExpectCheck) -> [UInt8] {
        var out = prefix(rejected, table: table, day: day)
        KeyCodec.appendEscaped(feature.utf8, to: &out)
        out.append(check.code)
        return out
    }

    /// The day of any record key (bytes 5–8).
    static func day(ofKey p: UnsafeRawBufferPointer) -> Int32 {
        Int32(bitPattern: KeyCodec.readUInt32(p, at: 5) ^ (1 << 31))
    }

    /// (day, schema version, feature name) of a feature-day key; nil when malformed.
    static func decodeFeatureDay(_ p: UnsafeRawBufferPointer) -> (day: Int32, version: Int, feature: String)? {
        guard p.count >= 15, p[0] == featureDay else { return nil }
        var i = 13
        guard let name = KeyCodec.decodeEscaped(p, at: &i), i == p.count,
              let s = String(validating: name, as: UTF8.self) else { return nil }
        return (day(ofKey: p), Int(KeyCodec.readUInt32(p, at: 9)), s)
    }

    /// (day, feature, check) of a rejected-events key; nil when malformed.
    static func decodeRejected(_ p: UnsafeRawBufferPointer) -> (day: Int32, feature: String, check: ExpectCheck)? {
        guard p.count >= 12, p[0] == rejected else { return nil }
        var i = 9
        guard let name = KeyCodec.decodeEscaped(p, at: &i), i == p.count - 1,
              let s = String(validating: name, as: UTF8.self), let check = ExpectCheck(code: p[p.count - 1]) else { return nil }
        return (day(ofKey: p), s, check)
    }
}

/// One kind of `expect` check (SPEC 3). `nan` is a NaN in a feature with
/// `min`, `max` or `in`, which no bound can accept.
public enum ExpectCheck: String, Sendable, CaseIterable, Codable, Comparable {
    case notNull = "not_null"
    case min
    case max
    case allowed = "in"
    case nan

    /// The byte stored in rejected-events keys.
    var code: UInt8 {
        switch self {
        case .notNull: 1
        case .min: 2
        case .max: 3
        case .allowed: 4
        case .nan: 5
        }
    }

    init?(code: UInt8) {
        guard let c = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = c
    }

    public static func < (a: ExpectCheck, b: ExpectCheck) -> Bool { a.code < b.code }
}
