import NIOCore

/// A message that is the payload of a frame of one opcode.
///
/// `init(from:)` reads it off a buffer (throwing `MALFORMED` naming the
/// field); ``decode(_:)`` also requires the payload to be used exactly.
public protocol WireMessage: Sendable {
    /// The opcode of frames carrying this message (requests and replies share it).
    static var opcode: Opcode { get }
    /// Reads the message from `buffer`, leaving what follows it.
    init(from buffer: inout ByteBuffer) throws
    /// Appends the message's encoding to `buffer`.
    func write(to buffer: inout ByteBuffer)
}

extension WireMessage {
    /// Decodes a whole payload: trailing bytes are `MALFORMED`.
    public static func decode(_ payload: ByteBuffer) throws -> Self {
        var b = payload
        let message = try Self(from: &b)
        guard b.readableBytes == 0 else {
            throw WireError(.malformed, "\(opcode.name): \(b.readableBytes) trailing byte(s) after the message")
        }
        return message
    }
}

extension ErrorReply {
    /// Error replies carry the opcode of the request they answer; this one is a placeholder.
    public static var opcode: Opcode { Opcode(rawValue: 0) }
}
