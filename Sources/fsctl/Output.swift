import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Writing to stdout and stderr (unbuffered `write(2)`, so output order is
/// the order of calls), and JSON results.
enum Output {
    static func out(_ text: String) { write(fd: 1, text) }
    static func err(_ text: String) { write(fd: 2, text) }

    /// Whether stderr is a terminal (progress bars are drawn only there).
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    static func write(fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var done = 0
            while done < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return   // a closed pipe: nothing useful left to do
                }
                done += n
            }
        }
    }

    /// Prints `value` as pretty-printed JSON with sorted keys, one document
    /// per command (docs/cli.md documents each shape).
    /// `snakeCase` converts a library type's camelCase keys.
    static func json(_ value: some Encodable, snakeCase: Bool = false) throws {
        let encoder = JSONEncoder()
        if snakeCase { encoder.keyEncodingStrategy = .convertToSnakeCase }
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        out(String(decoding: data, as: UTF8.self) + "\n")
    }
}
