import LMDB

/// `fsctl check` of the lineage graph.
extension Store {
    /// Reports every edge whose key or value does not decode, and every edge
    /// missing from one of the two indexes (`lineage`, `lineage_in`).
    func checkLineage(_ problem: (String) -> Void) throws {
        guard let forward = db.lineage, let reverse = db.lineageReverse else { return }
        try environment.read { txn in
            try txn.withCursor(forward) { c in
                var more = try c.first()
                while more {
                    if let (from, kind, to) = LineageKey.decodeKey(c.key) {
                        if LineageKey.decodeValue(c.value) == nil {
                            problem("lineage: edge \(from) -\(kind)-> \(to) has a malformed value")
                        }
                        if try txn.get(try LineageKey.key(to, kind, from), in: reverse) == nil {
                            problem("lineage_in: edge \(from) -\(kind)-> \(to) is missing from the reverse index")
                        }
                    } else {
                        problem("lineage: a key does not decode as an edge")
                    }
                    more = try c.next()
                }
            }
            try txn.withCursor(reverse) { c in
                var more = try c.first()
                while more {
                    if let (to, kind, from) = LineageKey.decodeKey(c.key) {
                        if try txn.get(try LineageKey.key(from, kind, to), in: forward) == nil {
                            problem("lineage_in: reverse entry \(from) -\(kind)-> \(to) has no edge in 'lineage'")
                        }
                    } else {
                        problem("lineage_in: a key does not decode as an edge")
                    }
                    more = try c.next()
                }
            }
        }
    }
}
