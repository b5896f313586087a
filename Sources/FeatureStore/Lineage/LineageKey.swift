/// Keys and values of the `lineage` and `lineage_in` databases
/// (docs/storage-format.md).
///
/// - node: `kind code (1) · escaped name` (names escaped as entity-key strings:
///   `00` → `00 FF`, terminator `00 01`), so a node's key is prefix-free and
///   all edges of one node are contiguous;
/// - `lineage` key: `01 · node(from) · escaped(kind) · node(to)`;
/// - `lineage_in` key: `01 · node(to) · escaped(kind) · node(from)`, empty value;
/// - `lineage` value: `at (i64, sign-flipped BE) · (escaped key · escaped value)*`,
///   attributes in key order.
enum LineageKey {
    /// The format byte that starts every lineage key.
    static let formatVersion: UInt8 = 1
    /// LMDB's key size limit.
    static let maxKeyBytes = 511

    static func appendNode(_ node: LineageNode, to out: inout [UInt8]) {
        out.append(node.kind.code)
        KeyCodec.appendEscaped(node.name.utf8, to: &out)
    }

    /// The prefix of every key (in the database it indexes) that starts with `node`.
    static func prefix(_ node: LineageNode) -> [UInt8] {
        var out: [UInt8] = [formatVersion]
        appendNode(node, to: &out)
        return out
    }

    /// The `lineage` key of an edge (`first` = from) or its `lineage_in` key (`first` = to).
    static func key(_ first: LineageNode, _ kind: String, _ second: LineageNode) throws -> [UInt8] {
        var out = prefix(first)
        KeyCodec.appendEscaped(kind.utf8, to: &out)
        appendNode(second, to: &out)
        guard out.count <= maxKeyBytes else {
            throw FeatureStoreError.invalid(
                "lineage edge \(first) -\(kind)-> \(second): key of \(out.count) bytes exceeds LMDB's \(maxKeyBytes)-byte limit (shorten the names)")
        }
        return out
    }

    static func value(atMicros: Int64, attributes: [String: String]) -> [UInt8] {
        var out: [UInt8] = []
        KeyCodec.appendInt64(atMicros, to: &out)
        for k in attributes.keys.sorted() {
            KeyCodec.appendEscaped(k.utf8, to: &out)
            KeyCodec.appendEscaped(attributes[k]!.utf8, to: &out)
        }
        return out
    }

    /// Decodes a key into (first node, kind, second node); nil when malformed.
    static func decodeKey(_ p: UnsafeRawBufferPointer) -> (LineageNode, String, LineageNode)? {
        guard p.count > 0, p[0] == formatVersion else { return nil }
        var i = 1
        guard let first = decodeNode(p, &i), let kind = decodeString(p, &i),
              let second = decodeNode(p, &i), i == p.count else { return nil }
        return (first, kind, second)
    }

    /// Decodes a value into (time, attributes); nil when malformed.
    static func decodeValue(_ p: UnsafeRawBufferPointer) -> (Int64, [String: String])? {
        guard p.count >= 8 else { return nil }
        let at = KeyCodec.readInt64(p, at: 0)
        var i = 8
        var attributes: [String: String] = [:]
        while i < p.count {
            guard let k = decodeString(p, &i), let v = decodeString(p, &i) else { return nil }
            attributes[k] = v
        }
        return (at, attributes)
    }

    private static func decodeNode(_ p: UnsafeRawBufferPointer, _ i: inout Int) -> LineageNode? {
        guard i < p.count, let kind = LineageNode.Kind(code: p[i]) else { return nil }
        i += 1
        guard let name = decodeString(p, &i) else { return nil }
        return LineageNode(kind: kind, name: name)
    }

    private static func decodeString(_ p: UnsafeRawBufferPointer, _ i: inout Int) -> String? {
        KeyCodec.decodeEscaped(p, at: &i).flatMap { String(validating: $0, as: UTF8.self) }
    }
}
