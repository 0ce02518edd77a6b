import Glibc
import PicoSystem

/// Unbuffered writes to a file descriptor (command output may not end in a newline).
enum FileDescriptorOutput {
    static func write(_ text: String, fd: Int32) {
        _ = FileDescriptorIO.writeAll(fd, Array(text.utf8))
    }
}
