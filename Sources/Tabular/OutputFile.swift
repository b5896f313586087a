#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for writing (created or truncated) with a 1 MiB buffer.
/// Writers append bytes; full buffers go out with `write(2)`, retried on
/// `EINTR` and short writes.
final class OutputFile {
    let path: String
    private var fd: Int32
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private var count = 0

    init(path: String, bufferSize: Int = 1 << 20) throws(TabularError) {
        self.path = path
        var fd: Int32
        repeat { fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) } while fd < 0 && errno == EINTR
        guard fd >= 0 else {
            throw TabularError(kind: .cannotOpen, file: path, message: "cannot open for writing: \(errnoText(errno))")
        }
        self.fd = fd
        capacity = max(bufferSize, 64)
        buffer = .allocate(capacity: capacity)
    }

    /// A writer dropped without `close()` still flushes, best effort (errors are lost).
    deinit {
        if fd >= 0 { try? flush(); closeDescriptor(fd) }
        buffer.deallocate()
    }

    var isOpen: Bool { fd >= 0 }

    /// Makes room for at least `n` contiguous bytes and returns where to write them;
    /// call ``advance(_:)`` with the number actually written.
    @inline(__always)
    func reserve(_ n: Int) throws(TabularError) -> UnsafeMutablePointer<UInt8> {
        if count + n > capacity || fd < 0 { try flush() }
        if n > capacity { preconditionFailure("reserve(\(n)) beyond the buffer size") }
        return buffer + count
    }

    @inline(__always)
    func advance(_ n: Int) { count += n }

    @inline(__always)
    func append(_ byte: UInt8) throws(TabularError) {
        if count == capacity || fd < 0 { try flush() }
        buffer[count] = byte
        count += 1
    }

    func append(_ p: UnsafePointer<UInt8>, _ n: Int) throws(TabularError) {
        if count + n <= capacity && fd >= 0 {
            (buffer + count).update(from: p, count: n)
            count += n
            return
        }
        try flush()
        if n >= capacity {
            try writeAll(p, n)
        } else {
            buffer.update(from: p, count: n)
            count = n
        }
    }

    func append(_ bytes: [UInt8]) throws(TabularError) {
        try bytes.withUnsafeBufferPointer { (b) throws(TabularError) in
            if let base = b.baseAddress { try append(base, b.count) }
        }
    }

    func append(_ text: String) throws(TabularError) {
        try append(Array(text.utf8))
    }

    func flush() throws(TabularError) {
        guard count > 0 || fd < 0 else { return }
        try writeAll(buffer, count)
        count = 0
    }

    private func writeAll(_ p: UnsafePointer<UInt8>, _ n: Int) throws(TabularError) {
        guard fd >= 0 else {
            throw TabularError(kind: .io, file: path, message: "cannot write: file is closed")
        }
        var done = 0
        while done < n {
            let w = write(fd, p + done, n - done)
            if w < 0 {
                if errno == EINTR { continue }
                throw TabularError(kind: .io, file: path, message: "cannot write: \(errnoText(errno))")
            }
            done += w
        }
    }

    /// Flushes and closes; later writes fail.
    func close() throws(TabularError) {
        guard fd >= 0 else { return }
        defer { closeDescriptor(fd); fd = -1 }
        try flush()
    }
}
