import NIOCore
import Testing
@testable import WireProtocol

/// A server decodes each connection's PREDICT requests into one value
/// (`decode(reusing:)`): after any sequence of requests, failed ones
/// included, it must hold exactly what a fresh decode of the last one gives.
@Suite struct PredictReuseDecodeTests {
    static let requests: [PredictRequest] = [
        PredictRequest(model: "churn@production", keyNames: ["user_id"], keys: [.int64(1)]),
        PredictRequest(model: "churn@production", keyNames: ["user_id"], keys: [.int64(7), .int64(8)]),
        PredictRequest(model: "churn@production", options: .returnInputs, at: 1_700_000_000_000_000, keyNames: ["user_id"],
                       keys: [.int64(9)], requestFeatureNames: ["age", "income"], requestFeatures: [41, nil]),
        PredictRequest(model: "churn@canary", keyNames: ["user_id"], keys: [.int64(9)]),   // same length, other bytes
        PredictRequest(model: "churn/3", keyNames: ["region", "user_id"], keys: [.string("eu"), .int64(3)]),
        PredictRequest(model: "churn/3", keyNames: ["user_id", "region"], keys: [.int64(3), .string("é")]),
        PredictRequest(model: "", keyNames: [], keys: []),
        PredictRequest(model: "churn@production", keyNames: ["user_id"], keys: [.int64(1)]),
    ]

    static func payload(_ r: PredictRequest) -> ByteBuffer {
        var b = ByteBufferAllocator().buffer(capacity: 64)
        r.write(to: &b)
        return b
    }

    @Test func reusedDecodesEqualFreshOnes() throws {
        var reused = PredictRequest(model: "", keyNames: [], keys: [])
        for (i, r) in Self.requests.enumerated() {
            var b = Self.payload(r)
            try reused.decode(reusing: &b)
            #expect(b.readableBytes == 0)
            #expect(reused == r, "request \(i)")
            #expect(reused == (try PredictRequest.decode(Self.payload(r))), "request \(i)")
        }
    }

    @Test func aFailedDecodeLeavesNothingBehindForTheNext() throws {
        var reused = PredictRequest(model: "", keyNames: [], keys: [])
        for (i, r) in Self.requests.enumerated() {
            let whole = Self.payload(r)
            // Every truncation fails as a fresh decode does, then the whole request decodes cleanly.
            for cut in 0..<whole.readableBytes {
                var part = whole.getSlice(at: whole.readerIndex, length: cut)!
                var fresh = part
                let freshError = (try? PredictRequest(from: &fresh)) == nil
                let reusedError: WireError? = {
                    do { try reused.decode(reusing: &part); return nil } catch let e as WireError { return e } catch { return nil }
                }()
                if freshError {
                    var again = whole.getSlice(at: whole.readerIndex, length: cut)!
                    let expected: String? = {
                        do { _ = try PredictRequest(from: &again); return nil } catch { return "\(error)" }
                    }()
                    #expect(reusedError.map { "\($0)" } == expected, "request \(i) cut at \(cut)")
                }
            }
            var b = whole
            try reused.decode(reusing: &b)
            #expect(reused == r, "request \(i)")
        }
        // Invalid UTF-8 in a key name is refused, though the held name ("user_id") has the same length.
        var bad = Self.payload(PredictRequest(model: "churn@production", keyNames: ["user_ie"], keys: [.int64(1)]))
        bad.setInteger(UInt8(0xFF), at: bad.readableBytesView.lastIndex(of: UInt8(ascii: "e"))!)   // "user_ie": its last byte
        #expect(throws: WireError.self) { try reused.decode(reusing: &bad) }
    }
}
