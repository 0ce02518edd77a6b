import Glibc

/// A real temporary directory under `/tmp` (or another `parent`), removed on deinit (or by ``remove()``). The
/// one temp-dir helper of every test target: files are written with exact modes (the tests run as root and as
/// uid 65534, so a mode is part of what a test sets up), trees are walked and removed without following symlinks.
public final class TempDir: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates `<parent>/<prefix>-XXXXXX` (mode 0700).
    public init(_ prefix: String = "picoclaw-test", parent: String = "/tmp") {
        var template = Array("\(parent)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf -> String? in
            guard let p = mkdtemp(buf.baseAddress!) else { return nil }
            return String(cString: p)
        }
        guard let made else { fatalError("mkdtemp \(parent)/\(prefix): \(String(cString: strerror(errno)))") }
        path = made
    }

    deinit { Self.removeTree(path) }

    /// Removes the directory now (it is removed on deinit anyway).
    public func remove() { Self.removeTree(path) }

    /// `path/relative` (`path` itself for `""`).
    public func at(_ relative: String) -> String { relative.isEmpty ? path : path + "/" + relative }

    /// `mkdir -p` below the temp dir (missing parents 0755); the last component gets `mode` exactly.
    @discardableResult
    public func mkdir(_ relative: String, mode: mode_t = 0o700) -> String {
        let full = at(relative)
        Self.makeDirectories(full)
        chmod(full, mode)
        return full
    }

    /// Writes `text` to `relative` with exactly `mode` (parents created 0755 when missing); returns the path.
    @discardableResult
    public func write(_ relative: String, _ text: String, mode: mode_t = 0o600) -> String {
        let full = at(relative)
        Self.makeDirectories(String(full[..<full.lastIndex(of: "/")!]))
        return Self.writeFile(full, text, mode: mode)
    }

    /// A symbolic link at `relative` pointing to `target`; returns the link's path.
    @discardableResult
    public func link(_ target: String, at relative: String) -> String {
        let full = at(relative)
        precondition(symlink(target, full) == 0, "symlink \(full): \(String(cString: strerror(errno)))")
        return full
    }

    /// The file's content, or `nil`.
    public func read(_ relative: String) -> String? { Self.readFile(at(relative)) }

    /// `true` when `relative` exists (a dangling symlink counts).
    public func exists(_ relative: String) -> Bool {
        var st = stat()
        return lstat(at(relative), &st) == 0
    }

    /// Permission bits of `relative` (following symlinks), or `nil`.
    public func mode(_ relative: String) -> mode_t? { Self.mode(at(relative)) }

    /// `chown -R uid:gid` of the whole temp dir (or a part), without following symlinks.
    public func chownTree(_ relative: String = "", uid: uid_t, gid: gid_t) {
        Self.walk(at(relative)) { lchown($0, uid, gid) }
    }

    /// Writes `text` to the absolute `path` with exactly `mode`; returns `path`.
    @discardableResult
    public static func writeFile(_ path: String, _ text: String, mode: mode_t = 0o600) -> String {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(fd >= 0, "open \(path): \(String(cString: strerror(errno)))")
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            precondition(n > 0, "write \(path): \(String(cString: strerror(errno)))")
            offset += n
        }
        close(fd)
        chmod(path, mode)
        return path
    }

    /// The content of the file at the absolute `path`, or `nil`.
    public static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)  // small: tests poll /proc files with it
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Permission bits of the absolute `path` (following symlinks), or `nil`.
    public static func mode(_ path: String) -> mode_t? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return st.st_mode & 0o7777
    }

    /// Calls `body` with `path` and every entry below it (depth first, symlinks not followed).
    public static func walk(_ path: String, _ body: (String) -> Void) {
        body(path)
        for name in entries(path) { walk(path + "/" + name, body) }
    }

    /// `rm -rf path` without following symlinks (directories made writable first).
    public static func removeTree(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if st.st_mode & S_IFMT == S_IFDIR {
            chmod(path, 0o700)
            for name in entries(path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// `mkdir -p path` (missing components 0755).
    private static func makeDirectories(_ path: String) {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            _ = Glibc.mkdir(current, 0o755)
        }
    }

    /// The names in directory `path` (not `.`/`..`); empty for anything that is not a directory.
    private static func entries(_ path: String) -> [String] {
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR, let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let ent = readdir(dir) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
