import Glibc

extension Workspace {
    /// The whole regular file at `path`, read through the same jail as ``read(_:offset:length:)`` (no symlink or
    /// hard-link escape), for sending it somewhere. Files over `maxBytes` are refused without being read.
    /// - Throws: `WorkspaceError` (refusal, not found, directory, not a regular file, `tooLarge`, I/O).
    public func readAttachment(_ path: String, maxBytes: Int) throws -> (name: String, data: [UInt8]) {
        let t = try target(path)
        let fd = try openTarget(t, flags: O_RDONLY | O_NONBLOCK | O_NOCTTY)
        defer { close(fd) }
        let size = try regularFileSize(fd, display: t.display)
        guard size <= maxBytes else { throw WorkspaceError.tooLarge(t.display, size: size, limit: maxBytes) }
        let data = try readBytes(fd, at: 0, count: size, display: t.display)
        let name = t.display.split(separator: "/").last.map(String.init) ?? "file"
        return (name, data)
    }
}
