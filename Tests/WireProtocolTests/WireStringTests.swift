import NIOCore
import Testing
@testable import WireProtocol

/// `str` fields are read as UTF-8 and refused when the bytes are not valid
/// UTF-8 (not repaired): the reader compares the decoded text with its bytes.
@Suite struct WireStringTests {
    static func read(_ bytes: [UInt8]) throws -> String {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt16(bytes.count))
        buffer.writeBytes(bytes)
        buffer.writeInteger(UInt8(7))               // what follows the string stays readable
        let text = try buffer.readWireString("test field")
        #expect(buffer.readInteger(as: UInt8.self) == 7)
        return text
    }

    @Test(arguments: ["", "user_id", "bench@production", "ünïcødé", "日本語", "🙂 emoji", "\u{FFFD} replacement char", "a\u{0}b"])
    func validTextIsReadAsItIs(_ text: String) throws {
        #expect(try Self.read(Array(text.utf8)) == text)
    }

    @Test(arguments: [
        [0xFF], [0x80], [0xC3], [0xE6, 0x97], [0xF0, 0x9F, 0x99],          // stray, lone continuation, truncated
        [0xC0, 0xAF], [0xE0, 0x80, 0xAF],                                   // overlong
        [0xED, 0xA0, 0x80],                                                  // a UTF-16 surrogate
        [0xF4, 0x90, 0x80, 0x80],                                            // past U+10FFFF
        [0x61, 0xFF, 0x62], [0x61, 0xEF, 0xBF],                              // inside and at the end of text
    ] as [[UInt8]])
    func invalidUTF8IsMalformed(_ bytes: [UInt8]) {
        #expect(throws: WireError(.malformed, "test field: invalid UTF-8")) { try Self.read(bytes) }
    }

    @Test func aLengthPastTheBufferIsTruncated() {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt16(5))
        buffer.writeBytes(Array("abc".utf8))
        #expect(throws: WireError(.malformed, "truncated: test field")) { try buffer.readWireString("test field") }
    }
}
