import Testing
import Tabular
import TestSupport

@Suite struct Base64Tests {
    @Test func rfc4648Vectors() {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                       ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(Array(encoded.utf8)) == Array(plain.utf8))
        }
        #expect(Base64.encode([0xFB, 0xFF]) == "+/8=")
    }

    @Test func refusesInvalidText() {
        for bad in ["Zg", "Zg=", "Zm9", "Zm9v=", "Z===", "Zg==Zg==", "Zm-v", "Zm_v", "Zh==", "Zm9 ", "=Zm9"] {
            #expect(Base64.decode(Array(bad.utf8)) == nil, "\(bad)")
        }
    }

    @Test func randomRoundTrip() {
        var g = SeededRandom(seed: 3)
        for _ in 0..<1000 {
            let bytes = (0..<Int.random(in: 0...40, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            let text = Base64.encode(bytes)
            #expect(text.utf8.count == Base64.encodedCount(bytes.count))
            #expect(Base64.decode(Array(text.utf8)) == bytes)
        }
    }
}
