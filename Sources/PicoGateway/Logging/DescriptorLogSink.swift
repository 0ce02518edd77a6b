import Glibc

/// An inherited descriptor (stderr) as a ``LogSink``, by what it is: a pipe or terminal is written when
/// `poll(POLLOUT)` says there is room, at most `PIPE_BUF` bytes at a time (a pipe with room takes that many without
/// blocking); a socket (journald's stream) with a non-blocking `send`. stderr redirected to a regular file (`nohup`,
/// `2>>file`, the test and benchmark harnesses) has no reader to stall and is written at once, as before; the
/// configured log file is the one written off-thread (``LogFileSink``).
/// The descriptor's own flags are never changed: its open file description is shared with the parent.
/// A reader that went away makes the lines vanish instead of raising SIGPIPE.
final class DescriptorLogSink: LogSink {
    private enum Kind {
        case pollable, socket, file
    }
    private let fd: Int32
    private let kind: Kind

    init(fd: Int32) {
        self.fd = fd
        var st = stat()
        if fstat(fd, &st) != 0 {
            kind = .pollable  // closed: poll answers POLLNVAL and the lines are discarded
        } else {
            switch st.st_mode & S_IFMT {
            case S_IFSOCK: kind = .socket
            case S_IFREG, S_IFBLK: kind = .file
            default: kind = .pollable  // pipes, FIFOs, terminals, /dev/null
            }
        }
    }

    var writesWithoutBlocking: Bool { true }

    func writeWithoutBlocking(_ bytes: UnsafeRawBufferPointer) -> Int {
        if kind == .file {
            _ = writeBlocking(bytes)
            return bytes.count
        }
        var offset = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            switch kind {
            case .socket:
                let n = send(fd, rest.baseAddress, rest.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno == EAGAIN || errno == EWOULDBLOCK ? offset : bytes.count
                }
                offset += n
            case .pollable, .file:  // .file: handled above
                switch ready(timeout: 0) {
                case .no: return offset
                case .gone: return bytes.count
                case .yes: break
                }
                let n = Glibc.write(fd, rest.baseAddress, min(rest.count, Int(PIPE_BUF)))
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno == EAGAIN || errno == EWOULDBLOCK ? offset : bytes.count
                }
                offset += n
            }
        }
        return offset
    }

    func writeBlocking(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            let n: Int
            switch kind {
            case .socket:
                n = send(fd, rest.baseAddress, rest.count, Int32(MSG_NOSIGNAL))
            case .pollable:
                // Waiting in poll first: a reader that leaves while we wait is seen (POLLERR), never a SIGPIPE.
                guard ready(timeout: -1) == .yes else { return false }
                n = Glibc.write(fd, rest.baseAddress, min(rest.count, Int(PIPE_BUF)))
            case .file:
                n = Glibc.write(fd, rest.baseAddress, rest.count)
            }
            if n < 0 {
                if errno == EINTR { continue }
                // Someone else made the shared description non-blocking: wait for room.
                if errno == EAGAIN || errno == EWOULDBLOCK, ready(timeout: -1) == .yes { continue }
                return false
            }
            if n == 0 { return false }
            offset += n
        }
        return true
    }

    private enum Readiness {
        case yes, no, gone
    }

    /// Whether a write of up to `PIPE_BUF` bytes will not block, waiting up to `timeout` ms (-1: forever).
    private func ready(timeout: Int32) -> Readiness {
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while true {
            let rc = poll(&p, 1, timeout)
            if rc < 0 && errno == EINTR { continue }
            if rc < 0 || p.revents & Int16(POLLERR | POLLNVAL) != 0 { return .gone }
            return p.revents & Int16(POLLOUT) != 0 ? .yes : .no
        }
    }
}
