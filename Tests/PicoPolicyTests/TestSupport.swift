import Glibc
import PicoFakes
@testable import PicoPolicy

/// A temporary directory tree for one test: `base/ws` is the workspace, `base/outside` a sibling with a
/// canary file. Removed when released.
final class Sandbox {
    private let directory = TempDir("picopolicy-test")
    let base: String
    let ws: String
    let outside: String
    let canary: String
    let canaryText: String

    init() {
        base = directory.path
        ws = base + "/ws"
        outside = base + "/outside"
        canary = outside + "/secret.txt"
        canaryText = "CANARY-\(UInt64.random(in: 0...UInt64.max))"
        mkdir(ws, 0o700)
        mkdir(outside, 0o700)
        write(canary, canaryText)
    }

    func write(_ path: String, _ text: String, mode: mode_t = 0o600) {
        let full = path.hasPrefix("/") ? path : ws + "/" + path
        let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, mode)
        precondition(fd >= 0, "cannot create \(full)")
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        close(fd)
    }

    func mkdirs(_ rel: String) {
        var path = ws
        for c in rel.split(separator: "/") {
            path += "/" + c
            mkdir(path, 0o700)
        }
    }

    func link(_ target: String, at rel: String) {
        precondition(symlink(target, ws + "/" + rel) == 0)
    }

    func contents(_ path: String) -> String? {
        let full = path.hasPrefix("/") ? path : ws + "/" + path
        let fd = open(full, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            out += buf[..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path.hasPrefix("/") ? path : ws + "/" + path, &st) == 0
    }

    func mode(_ rel: String) -> mode_t {
        var st = stat()
        lstat(ws + "/" + rel, &st)
        return st.st_mode & 0o7777
    }
}
