import Glibc
import PicoConfig
import PicoFakes
@testable import PicoGateway
import PicoSystem
import Synchronization
import Testing

/// A log reader that stops reading (a paused `| less`, a stuck journald, a frozen disk) must never block the thread
/// that logs. Each test stalls a real pipe or a real (frozen) file system, logs from a thread of its own, and checks
/// that the logging calls returned while the destination was stuck — then lets the reader go on and reads what
/// arrived: every line once, whole, in order, or a count of the dropped ones.
@Suite("log output: a stalled reader never blocks the thread that logs", .serialized)
struct LogStallTests {
    private let redactor = SecretRedactor(secretValues: [])

    @Test func linesLoggedIntoAFullPipeReturnAtOnceAndArriveInOrderWhenTheReaderResumes() async throws {
        let pipe = StalledPipe()
        let output = try LogOutput(
            filePath: nil, redactor: redactor, stderrDescriptor: pipe.writeEnd, queueLimit: 1 << 20)
        let lines = (0..<2000).map { "line \($0) " + String(repeating: "x", count: 80) }
        let logged = await pipe.logOnThread(lines, to: output)  // ~180 KB into a 4 KiB pipe nobody reads
        #expect(logged, "a logging call blocked on the full pipe")
        #expect(output.droppedLines == 0)
        let received = try await pipe.readLines(count: lines.count)
        #expect(received == lines)
    }

    @Test func linesLoggedIntoAFullStreamSocketReturnAtOnceAndArriveInOrderWhenTheReaderResumes() async throws {
        let socket = StalledPipe(socket: true)  // journald's stdout stream is a Unix stream socket
        let output = try LogOutput(
            filePath: nil, redactor: redactor, stderrDescriptor: socket.writeEnd, queueLimit: 1 << 20)
        let lines = (0..<2000).map { "line \($0) " + String(repeating: "s", count: 80) }
        #expect(await socket.logOnThread(lines, to: output), "a logging call blocked on the full socket")
        #expect(output.droppedLines == 0)
        #expect(output.writerThreadStarts >= 1)  // the socket was full: lines waited for the writer
        #expect(try await socket.readLines(count: lines.count) == lines)
    }

    @Test func whileTheReaderKeepsUpLinesAreWrittenOnTheLoggingThreadWithoutAHandOff() async throws {
        let pipe = StalledPipe(capacity: 65536)
        let output = try LogOutput(filePath: nil, redactor: redactor, stderrDescriptor: pipe.writeEnd)
        for i in 0..<100 {
            output.write("line \(i)")
            // Already in the pipe when the call returns: written by this thread, not queued for another.
            #expect(pipe.readAvailable() == "line \(i)\n")
        }
        #expect(output.writerThreadStarts == 0)
    }

    @Test func linesBeyondTheQueueBoundAreDroppedCountedAndReportedOnceWhenTheReaderResumes() async throws {
        let pipe = StalledPipe()
        let output = try LogOutput(
            filePath: nil, redactor: redactor, stderrDescriptor: pipe.writeEnd, queueLimit: 8192)
        let lines = (0..<500).map { "line \($0) " + String(repeating: "y", count: 60) }
        #expect(await pipe.logOnThread(lines, to: output), "a logging call blocked on the full pipe")
        let dropped = output.droppedLines
        #expect(dropped > 0 && dropped < lines.count)
        let received = try await pipe.readLines(count: lines.count - dropped + 1)
        // Whole lines, none twice, in the order logged; then one report with the count.
        let kept = received.dropLast()
        #expect(kept.allSatisfy { lines.contains($0) })
        #expect(kept.map { lines.firstIndex(of: $0)! } == kept.map { lines.firstIndex(of: $0)! }.sorted())
        #expect(Set(kept).count == kept.count)
        let report = try #require(received.last)
        #expect(report.contains("warning log: \(dropped) log line(s) dropped: stderr was not accepting output"))
        // Writing goes on after the report, which is not repeated.
        output.write("after the stall")
        #expect(try await pipe.readLines(count: 1) == ["after the stall"])
        #expect(output.droppedLines == dropped)
    }

    @Test func aReaderThatLeftCostsTheLinesNotTheProcess() async throws {
        let pipe = StalledPipe()
        let output = try LogOutput(filePath: nil, redactor: redactor, stderrDescriptor: pipe.writeEnd)
        let lines = (0..<200).map { "line \($0) " + String(repeating: "z", count: 80) }
        #expect(await pipe.logOnThread(lines, to: output))
        pipe.closeReadEnd()  // the queued lines now have nowhere to go: no SIGPIPE, the writer gives up on them
        output.write("after the reader left")
        #expect(output.flush(within: .seconds(10)))
    }

    @Test(.enabled(if: FreezableDisk.available, "\(FreezableDisk.unavailableReason ?? "")"))
    func linesLoggedToAFileOnAFrozenDiskReturnAtOnceAndReachTheFileInOrderOnceItThaws() async throws {
        let disk = try await FreezableDisk.make()
        let path = disk.mountPoint + "/picoclaw.log"
        do {
            let output = try LogOutput(filePath: path, redactor: redactor, stderrDescriptor: nil)
            output.write("before the freeze")
            #expect(output.flush(within: .seconds(10)))
            try await disk.freeze()
            let lines = (0..<300).map { "frozen \($0)" }
            let pipe = StalledPipe()  // only for its logging thread
            #expect(await pipe.logOnThread(lines, to: output), "a logging call blocked on the frozen disk")
            // The lines really are held up by the disk, not already written.
            #expect(!output.flush(within: .milliseconds(300)))
            try await disk.thaw()
            #expect(output.flush(within: .seconds(20)))
            #expect(TempDir.readFile(path) == (["before the freeze"] + lines).map { $0 + "\n" }.joined())
        } catch {
            await disk.remove()
            throw error
        }
        await disk.remove()
    }
}

/// A pipe with a small capacity whose read end the test reads only when it chooses (non-blocking).
private final class StalledPipe: @unchecked Sendable {
    let writeEnd: Int32
    private var readEnd: Int32
    private var received: [UInt8] = []

    /// A pipe of `capacity` bytes, or (`socket`) a Unix stream socket pair with small buffers, like journald's
    /// stream.
    init(capacity: Int32 = 4096, socket: Bool = false) {
        var fds: [Int32] = [-1, -1]
        if socket {
            precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
            var size = capacity
            _ = setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            _ = setsockopt(fds[0], SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        } else {
            precondition(pipe(&fds) == 0)
            _ = fcntl(fds[0], F_SETPIPE_SZ, capacity)
        }
        readEnd = fds[0]
        writeEnd = fds[1]
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(readEnd, F_SETFL, O_NONBLOCK)
    }

    deinit {
        if readEnd >= 0 { close(readEnd) }
        // The write end stays open: a LogOutput under test may still hold it (the process ends soon).
    }

    func closeReadEnd() {
        close(readEnd)
        readEnd = -1
    }

    /// Logs `lines` from a thread of its own; `true` once every call returned — `false` if they were still blocked
    /// after 20 s (the pipe is then drained until they return, so the test ends).
    func logOnThread(_ lines: [String], to output: LogOutput) async -> Bool {
        let done = Done()
        Task {
            _ = await DedicatedThread.run {
                for line in lines { output.write(line) }
                done.flag.withLock { $0 = true }
            }
        }
        let returned =
            (try? await eventually("the logging calls to return", timeout: .seconds(20)) {
                done.flag.withLock { $0 }
            }) != nil
        if !returned {
            while !done.flag.withLock({ $0 }) {
                _ = readAvailable()
                await Task.yield()
            }
        }
        return returned
    }

    /// What can be read now, as text.
    func readAvailable() -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { FileDescriptorIO.read(readEnd, into: $0) }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads until `count` more whole lines arrived (within 20 s) and returns them.
    func readLines(count: Int) async throws -> [String] {
        var lines: [String] = []
        try await eventually("\(count) lines from the pipe", timeout: .seconds(20)) {
            received += Array(readAvailable().utf8)
            while let newline = received.firstIndex(of: 10) {
                lines.append(String(decoding: received[..<newline], as: UTF8.self))
                received.removeSubrange(...newline)
            }
            return lines.count >= count
        }
        return lines
    }

    private final class Done: Sendable {
        let flag = Mutex(false)
    }
}

/// `F_SETPIPE_SZ` (Linux; glibc hides it behind `_GNU_SOURCE`).
private let F_SETPIPE_SZ: Int32 = 1031
