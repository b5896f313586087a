import FeatureStore
#if canImport(Glibc)
import Glibc
#endif

/// Checks on an output file named on the command line (`--out`, `--html`),
/// made before the command opens the store or writes anything, so that the
/// error names the option and the path the user typed (not a temporary file
/// beside it) and an input file is never overwritten by the output.
enum OutputPath {
    /// Throws when `path` cannot be created because its directory is missing
    /// (`--out /nope/train.csv: cannot create it: directory '/nope': No such file or directory`), or,
    /// as a usage error, when it is the same file as `input` (the option and
    /// path of an input file: writing would destroy the input).
    static func check(_ path: String, option: String, input: (option: String, path: String)? = nil) throws {
        if let input, let a = identity(path), let b = identity(input.path), a == b {
            throw UsageError("\(option) \(path) is the file given to \(input.option) (\(input.path)): writing the output "
                             + "there would destroy the input; choose another \(option)")
        }
        let dir = directory(of: path)
        var st = stat()
        guard stat(dir, &st) == 0 else {
            throw FeatureStoreError(.io, "\(option) \(path): cannot create it: directory '\(dir)': \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw FeatureStoreError(.io, "\(option) \(path): cannot create it: '\(dir)' is not a directory")
        }
    }

    /// `a/b/c.csv` → `a/b`; `c.csv` → `.`; `/c.csv` → `/`.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Device and inode of an existing file, nil when it does not exist.
    private static func identity(_ path: String) -> [UInt64]? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return [UInt64(st.st_dev), UInt64(st.st_ino)]
    }
}
