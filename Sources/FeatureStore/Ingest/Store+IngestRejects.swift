#if canImport(Glibc)
import Glibc
#endif

/// Where `--on-invalid skip` writes rejected rows, and the check that it can,
/// made before the ingest's transaction: the rejects files are written after
/// the commit (so a failed ingest leaves none behind), and a directory that
/// is missing must not turn a landed ingest into a reported failure with its
/// rejected rows lost.
extension Store {
    /// The rejects file of the `index`-th of `count` files: `--rejects PATH`
    /// for one file, `PATH.1`, `PATH.2`, … for several; else `FILE.rejects.jsonl`.
    static func rejectsPath(for file: String, index: Int, count: Int, options: IngestOptions) -> String {
        guard let path = options.rejectsPath else { return file + ".rejects.jsonl" }
        return count == 1 ? path : path + ".\(index + 1)"
    }

    /// Throws, naming the rejects file as the writer would
    /// (`no/dir/r.jsonl: cannot open for writing: No such file or directory`),
    /// when its directory cannot take a new file.
    static func checkRejectsWritable(files: [String], options: IngestOptions) throws {
        guard options.onInvalid == .skip else { return }
        for (i, file) in files.enumerated() {
            let path = rejectsPath(for: file, index: i, count: files.count, options: options)
            guard access(parentDirectory(of: path), W_OK | X_OK) == 0 else {
                throw FeatureStoreError.io("\(path): cannot open for writing: \(String(cString: strerror(errno)))")
            }
        }
    }
}
