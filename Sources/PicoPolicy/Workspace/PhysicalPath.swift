import Glibc

/// The canonical form of the absolute `path` the way the kernel would walk it: symlinks resolved component
/// by component (relative targets against the link's directory, absolute ones from `/`), `..` applied
/// physically. Components that do not exist are kept lexically (a missing name cannot be a symlink).
/// Used for analysis only; the workspace jail itself never opens by path.
func physicalPath(_ path: String) -> String {
    var resolved: [Substring] = []
    var pending: [Substring] = PathText.components(path).reversed()
    var links = 0
    var missingFrom: Int? = nil
    var st = stat()
    while let component = pending.popLast() {
        if component == ".." {
            if !resolved.isEmpty { resolved.removeLast() }
            if let m = missingFrom, resolved.count < m { missingFrom = nil }
            continue
        }
        resolved.append(component)
        if missingFrom != nil { continue }
        let current = "/" + resolved.joined(separator: "/")
        guard lstat(current, &st) == 0 else {
            missingFrom = resolved.count
            continue
        }
        guard st.st_mode & S_IFMT == S_IFLNK else { continue }
        links += 1
        if links > 40 { return current }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(current, &buffer, buffer.count - 1)
        guard n > 0 else { continue }
        let target = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        resolved.removeLast()
        if target.hasPrefix("/") { resolved.removeAll() }
        pending.append(contentsOf: PathText.components(target).reversed())
    }
    return "/" + resolved.joined(separator: "/")
}

/// Whether `path` exists and is a symbolic link.
func isSymlink(_ path: String) -> Bool {
    var st = stat()
    return lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK
}

/// Whether anything exists at `path` (symlinks not followed).
func pathExists(_ path: String) -> Bool {
    var st = stat()
    return lstat(path, &st) == 0
}
