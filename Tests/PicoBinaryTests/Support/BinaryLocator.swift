import Glibc
import PicoFakes
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
        if let built = Subprocess.picoclawBinary() { return built }
        Issue.record(
            """
            the picoclaw binary was not found next to the test bundle (looked in \(Subprocess.productDirectories().joined(separator: ", "))). \
            Build it first: swift build (or scripts/test, which runs swift build --build-tests), \
            or set PICOCLAW_TEST_BINARY to its path.
            """, sourceLocation: sourceLocation)
        return nil
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
