import Glibc

/// A real temporary directory for black-box tests, removed on deinit. Helpers write files with exact modes
/// and owners (the tests run as root and use uid 65534 for "another user").
final class BinaryTempDir: @unchecked Sendable {
    let path: String

    init(prefix: String = "picoclaw-test") {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf -> String? in
            guard let p = mkdtemp(buf.baseAddress!) else { return nil }
            return String(cString: p)
        }
        path = made!
    }

    deinit { Self.removeTree(path) }

    /// `path/relative`.
    func at(_ relative: String) -> String { relative.isEmpty ? path : path + "/" + relative }

    /// `mkdir -p` below the temp dir; the last component gets `mode` exactly.
    @discardableResult
    func mkdir(_ relative: String, mode: mode_t = 0o700) -> String {
        let full = at(relative)
        var current = ""
        for component in full.split(separator: "/") {
            current += "/" + component
            _ = Glibc.mkdir(current, 0o755)
        }
        chmod(full, mode)
        return full
    }

    /// Writes `text` to `relative` with exactly `mode` (parents created 0755 when missing).
    @discardableResult
    func write(_ relative: String, _ text: String, mode: mode_t = 0o600) -> String {
        let full = at(relative)
        let parent = String(full[..<full.lastIndex(of: "/")!])
        var st = stat()
        if stat(parent, &st) != 0 { mkdir(String(parent.dropFirst(path.count + 1)), mode: 0o755) }
        let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(fd >= 0, "open \(full): \(String(cString: strerror(errno)))")
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        chmod(full, mode)
        return full
    }

    /// Writes `text` to the absolute `path` with exactly `mode`; returns `path`.
    @discardableResult
    static func writeFile(_ path: String, _ text: String, mode: mode_t) -> String {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(fd >= 0, "open \(path): \(String(cString: strerror(errno)))")
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        chmod(path, mode)
        return path
    }

    /// The file's content, or `nil`.
    func read(_ relative: String) -> String? { Self.readFile(at(relative)) }

    /// Permission bits of `relative` (following symlinks), or `nil`.
    func mode(_ relative: String) -> mode_t? {
        var st = stat()
        guard stat(at(relative), &st) == 0 else { return nil }
        return st.st_mode & 0o7777
    }

    /// `chown -R uid:gid` of the whole temp dir (or a part), without following symlinks.
    func chownTree(_ relative: String = "", uid: uid_t, gid: gid_t) {
        Self.walk(at(relative)) { lchown($0, uid, gid) }
    }

    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func walk(_ path: String, _ body: (String) -> Void) {
        body(path)
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR, let dir = opendir(path) else { return }
        var names: [String] = []
        while let ent = readdir(dir) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(dir)
        for name in names { walk(path + "/" + name, body) }
    }

    static func removeTree(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if st.st_mode & S_IFMT == S_IFDIR {
            chmod(path, 0o700)
            var names: [String] = []
            if let dir = opendir(path) {
                while let ent = readdir(dir) {
                    let name = withUnsafeBytes(of: ent.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
                    if name != "." && name != ".." { names.append(name) }
                }
                closedir(dir)
            }
            for name in names { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
