import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `fsctl serve` inputs read before it serves: the TLS files and the address
/// to listen on. Each refusal names the option and the value, exits 1 and
/// starts nothing. (Limits and flags: ServeParsingTests; frames: the
/// WireProtocol and FeatureServer suites.)
extension BadInputTests {
    @Test func serveRefusesUnreadableTLSFilesAndBadAddresses() throws {
        let box = try Self.ingested()
        // A token, so that a non-loopback --host does not warn about having none.
        try box.ok("tokens", "create", "--scope", "read")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-keyout", box.dir + "/key.pem", "-out", box.dir + "/cert.pem", "-days", "1", "-subj", "/CN=localhost"]
        openssl.standardError = FileHandle.nullDevice
        openssl.standardOutput = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl could not make a test certificate")
        try box.write("notes.pem", "not a PEM file\n")
        // A port that is taken: a listening socket of this process.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                bind(fd, p, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, p, &length) == 0
            }
        }
        try #require(bound, "no listening socket")
        let taken = Int(UInt16(bigEndian: address.sin_port))
        let serve = ["serve", "--port", "0"]
        try box.refuses([
            (serve + ["--tls-cert", "nope.pem", "--tls-key", "key.pem"], 1, "--tls-cert nope.pem: cannot open: No such file or directory"),
            (serve + ["--tls-cert", "notes.pem", "--tls-key", "key.pem"], 1,
             "--tls-cert notes.pem: no PEM certificate in it (expected '-----BEGIN CERTIFICATE-----' blocks)"),
            (serve + ["--tls-cert", "cert.pem", "--tls-key", "nope.pem"], 1, "--tls-key nope.pem: cannot open: No such file or directory"),
            (serve + ["--tls-cert", "cert.pem", "--tls-key", "cert.pem"], 1,
             "--tls-key cert.pem: no PEM private key in it (expected a '-----BEGIN PRIVATE KEY-----' block, unencrypted)"),
            (["serve", "--port", String(taken)], 1, "cannot listen on 127.0.0.1:\(taken) (--port): Address already in use"),
            (["serve", "--port", "0", "--http-port", String(taken)], 1, "cannot listen on 127.0.0.1:\(taken) (--http-port): Address already in use"),
            (["serve", "--port", "0", "--host", "999.1.1.1"], 1,
             "cannot listen on 999.1.1.1:0 (--port): cannot resolve host '999.1.1.1' (expected an IP address such as 127.0.0.1 or 0.0.0.0, or a host name)"),
        ])
    }
}
