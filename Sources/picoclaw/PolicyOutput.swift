import Glibc

/// Unbuffered writes to a file descriptor (command output may not end in a newline).
enum FileDescriptorOutput {
    static func write(_ text: String, fd: Int32) {
        var bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n <= 0 { if errno == EINTR { continue }; return }
            done += n
        }
    }
}
