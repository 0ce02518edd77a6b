import Glibc
import Testing

/// The `picoclaw` executable built next to this test bundle (`<scratch>/debug/picoclaw`), or the path in
/// `PICOCLAW_TEST_BINARY`. Tests that spawn it call ``PicoclawBinary/path()``, which records a clear issue when
/// the binary is missing (run `swift build` first; `scripts/test` does `swift build --build-tests`).
enum PicoclawBinary {
    /// The binary's absolute path, or `nil` (with a recorded issue) when it does not exist.
    static func path(sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        if let explicit = getenv("PICOCLAW_TEST_BINARY").map({ String(cString: $0) }), !explicit.isEmpty {
            if access(explicit, X_OK) == 0 { return explicit }
            Issue.record("PICOCLAW_TEST_BINARY=\(explicit) is not an executable file", sourceLocation: sourceLocation)
            return nil
        }
        for dir in candidateDirectories() {
            let candidate = dir + "/picoclaw"
            var st = stat()
            if stat(candidate, &st) == 0, st.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        Issue.record("""
            the picoclaw binary was not found next to the test bundle (looked in \(candidateDirectories().joined(separator: ", "))). \
            Build it first: swift build (or scripts/test, which runs swift build --build-tests), \
            or set PICOCLAW_TEST_BINARY to its path.
            """, sourceLocation: sourceLocation)
        return nil
    }

    /// Directories that may hold the binary: those of `/proc/self/exe` and `argv[0]`, walking up out of an
    /// `.xctest` bundle.
    static func candidateDirectories() -> [String] {
        var starts: [String] = []
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        if n > 0 { starts.append(String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
        if let arg0 = CommandLine.arguments.first, arg0.hasPrefix("/") { starts.append(arg0) }
        var dirs: [String] = []
        for start in starts {
            var dir = parent(start)
            // .../debug/picoclawPackageTests.xctest (a file on Linux, a bundle directory elsewhere).
            for _ in 0..<4 {
                if !dirs.contains(dir) { dirs.append(dir) }
                if dir == "/" { break }
                dir = parent(dir)
            }
        }
        return dirs
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
