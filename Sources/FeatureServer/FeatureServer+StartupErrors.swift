import FeatureStore
import NIOCore
import NIOSSL
#if canImport(Glibc)
import Glibc
#endif

/// The errors `fsctl serve` can meet before it serves (a TLS file, a port):
/// each names the option, the value and what was expected, instead of NIO's
/// bare `failedToLoadCertificate` or a socket error's type dump.
extension FeatureServer {
    /// The certificate chain of `--tls-cert`, or an error naming the file:
    /// `--tls-cert c.pem: cannot open: No such file or directory`,
    /// `--tls-cert c.pem: no PEM certificate in it (expected '-----BEGIN CERTIFICATE-----' blocks)`.
    static func loadCertificateChain(_ path: String) throws -> [NIOSSLCertificate] {
        try checkReadable(path, option: "--tls-cert")
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(path) } catch { chain = [] }
        guard !chain.isEmpty else {
            throw FeatureStoreError(.invalidInput,
                "--tls-cert \(path): no PEM certificate in it (expected '-----BEGIN CERTIFICATE-----' blocks)")
        }
        return chain
    }

    /// The private key of `--tls-key`, or an error naming the file.
    static func loadPrivateKey(_ path: String) throws -> NIOSSLPrivateKey {
        try checkReadable(path, option: "--tls-key")
        do { return try NIOSSLPrivateKey(file: path, format: .pem) } catch {
            throw FeatureStoreError(.invalidInput,
                "--tls-key \(path): no PEM private key in it (expected a '-----BEGIN PRIVATE KEY-----' block, unencrypted)")
        }
    }

    /// `open(2)`'s reason when `path` cannot be read.
    private static func checkReadable(_ path: String, option: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw FeatureStoreError(.io, "\(option) \(path): cannot open: \(String(cString: strerror(errno)))")
        }
        close(fd)
    }

    /// Runs `bind`, turning its failure into ``listenError(_:host:port:option:)``.
    static func listening<T>(_ host: String, _ port: Int, option: String, _ bind: () throws -> T) throws -> T {
        do { return try bind() } catch { throw listenError(error, host: host, port: port, option: option) }
    }

    /// A failed bind as the user sees it:
    /// `cannot listen on 127.0.0.1:6570 (--port): Address already in use`.
    static func listenError(_ error: any Error, host: String, port: Int, option: String) -> FeatureStoreError {
        let reason: String
        switch error {
        case let e as IOError: reason = String(cString: strerror(e.errnoCode))
        case is SocketAddressError, is SocketAddressError.UnknownHost:
            reason = "cannot resolve host '\(host)' (expected an IP address such as 127.0.0.1 or 0.0.0.0, or a host name)"
        default: reason = "\(error)"
        }
        return FeatureStoreError(.io, "cannot listen on \(host):\(port) (\(option)): \(reason)")
    }
}
