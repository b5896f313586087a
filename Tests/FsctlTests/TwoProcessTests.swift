import Foundation
import Testing

/// A reader process keeps answering `fsctl get` correctly while other
/// processes ingest (`--to both`) and materialize, over and over.
@Suite struct TwoProcessTests {
    /// Each round i writes, for users 1…3, age = v and num_purchases = v in one
    /// batch (v = 2i pushed online at once, then v = 2i+1 offline and
    /// materialized). A consistent answer therefore has the same v for every
    /// user and both features, and v never goes down from one answer to the next.
    @Test func readerSeesOnlyConsistentStates() async throws {
        let box = try Sandbox.withExample()
        let rounds = 6
        let writer = Thread {
            for i in 1...rounds {
                func batch(_ v: Int, minute: Int) -> String {
                    let t = String(format: "2025-11-15T%02d:%02d:00Z", i, minute)
                    return "user_id,event_timestamp,age,num_purchases\n"
                        + (1...3).map { "\($0),\(t),\(v).0,\(v)\n" }.joined()
                }
                _ = try? box.write("push\(i).csv", batch(2 * i, minute: 0))
                _ = try? box.write("offline\(i).csv", batch(2 * i + 1, minute: 30))
                _ = try? box.run("ingest", "user_stats", "push\(i).csv", "--to", "both")
                _ = try? box.run("ingest", "user_stats", "offline\(i).csv")
                _ = try? box.run("materialize", "2025-11-15T00:00:00Z", "2025-11-16T00:00:00Z")
            }
            _ = try? box.write("done", "")
        }
        writer.start()
        var answers = 0
        var last = 0
        var seen = Set<Int>()
        while true {
            let finished = box.exists("done")
            let r = try box.run("get", "--json", "--features", "user_stats:age,user_stats:num_purchases",
                                "--entity", "user_id=1", "--entity", "user_id=2", "--entity", "user_id=3",
                                "--at", "2025-11-16T00:00:00Z")
            #expect(r.code == 0, "\(r)")
            let json = try #require(try r.json() as? [String: Any])
            let results = try #require(json["results"] as? [[String: Any]])
            let ages = (results[1]["values"] as? [Any]) ?? []
            let counts = (results[2]["values"] as? [Any]) ?? []
            let statuses = Set((results[1]["statuses"] as? [String]) ?? []) .union((results[2]["statuses"] as? [String]) ?? [])
            if statuses == ["NOT_FOUND"] {
                #expect(last == 0, "rows vanished after v=\(last)")
            } else {
                #expect(statuses == ["PRESENT"], "mixed statuses \(statuses)")
                let values = ages.compactMap { ($0 as? Double).map { Int($0) } } + counts.compactMap { $0 as? Int }
                #expect(values.count == 6 && Set(values).count == 1, "inconsistent answer \(ages) \(counts)")
                let v = values.first ?? 0
                #expect(v >= last, "went back from \(last) to \(v)")
                last = v
                seen.insert(v)
            }
            answers += 1
            if finished { break }
        }
        #expect(last == 2 * rounds + 1)
        #expect(answers >= rounds, "only \(answers) answers")
        #expect(seen.count >= 2)
    }
}
