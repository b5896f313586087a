import Testing
import Tabular
import TestSupport

/// The readers' float parsing (fast path plus strtod) must agree bit for bit
/// with Swift's own correctly rounded `Double(String)` / `Float(String)`.
@Suite struct NumberParsingTests {
    static func randomDecimal(_ g: inout SeededRandom) -> String {
        let digits = String((0..<Int.random(in: 1...25, using: &g)).map { _ in
            Character(Unicode.Scalar(UInt8.random(in: 48...57, using: &g)))
        })
        var text = Bool.random(using: &g) ? "-" : ""
        let point = Int.random(in: 0...digits.count, using: &g)
        text += point == digits.count ? digits : digits.prefix(point) + "." + digits.dropFirst(point)
        switch Int.random(in: 0..<4, using: &g) {
        case 0: text += "e\(Int.random(in: -30...30, using: &g))"
        case 1: text += "E\(Int.random(in: -340...310, using: &g))"
        default: break
        }
        return text
    }

    @Test(arguments: [11, 12])
    func randomDecimalsMatchSwift(seed: UInt64) throws {
        var g = SeededRandom(seed: seed)
        let texts = (0..<20_000).map { _ in Self.randomDecimal(&g) } + [
            "9007199254740993", "0.1", "1e23", "2.2250738585072011e-308", "4.9406564584124654e-324",
            "1.7976931348623157e308", "1.7976931348623159e308", "0.30000000000000004", "123456789012345678901234567890",
            "-0", "0e999", ".5", "5.", "+1.5", "3.4028235e38", "3.4028236e38", "1.17549435e-38", "1e-46",
            "16777217", "0.000000000000000000000000000000000000000000001",
        ]
        let csv = "d,f\n" + texts.map { "\($0),\($0)" }.joined(separator: "\n")
        let r = try readAll(csv, schema: [Field("d", .float64), Field("f", .float32)])
        #expect(r.rows.count == texts.count)
        for (text, row) in zip(texts, r.rows) {
            guard case .float64(let d)? = row[0], case .float32(let f)? = row[1] else {
                Issue.record("\(text) not read"); continue
            }
            #expect(d.bitPattern == Double(text)!.bitPattern, "\(text)")
            #expect(f.bitPattern == Float(text)!.bitPattern, "\(text)")
        }
    }

    @Test func integersAtTheEdges() throws {
        let texts = ["0", "-0", "+0", "007", "9223372036854775807", "-9223372036854775808", "00000000000000000000001"]
        let r = try readAll("n\n" + texts.joined(separator: "\n"), schema: [Field("n", .int64)])
        #expect(r.rows.map { $0[0] } == [0, 0, 0, 7, .max, .min, 1].map { .int64($0) })
    }
}
