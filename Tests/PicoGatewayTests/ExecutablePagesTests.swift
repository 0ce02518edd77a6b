import Glibc
@testable import PicoGateway
import Testing

/// `ExecutablePages.release()` run on this test process's own executable: the clean file-backed pages go,
/// the relocated (RELRO) pages stay, and the process keeps running the code it just unmapped.
@Suite("executable pages")
struct ExecutablePagesTests {
    /// Rss and Anonymous kB summed over the non-writable mappings of this executable (`/proc/self/smaps`).
    private static func readOnlyExecutableMemory() -> (rss: Int, anonymous: Int) {
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlink("/proc/self/exe", &buffer, 4096)
        let exe = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        guard let file = fopen("/proc/self/smaps", "r") else { return (0, 0) }
        defer { fclose(file) }
        var inside = false
        var rss = 0, anonymous = 0
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(
                decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), fields.count >= 5, first.first?.isHexDigit == true,
                !first.hasSuffix(":")
            {
                inside = fields.count >= 6 && fields[5...].joined(separator: " ") == exe && !fields[1].contains("w")
            } else if inside, fields.count >= 2, let kB = Int(fields[1]) {
                if fields[0] == "Rss:" { rss += kB }
                if fields[0] == "Anonymous:" { anonymous += kB }
            }
        }
        return (rss, anonymous)
    }

    @Test func dropsCleanPagesAndKeepsRelocatedOnes() {
        let before = Self.readOnlyExecutableMemory()
        let released = ExecutablePages.release()
        let after = Self.readOnlyExecutableMemory()
        #expect(released > 0)
        #expect(before.rss > 0)
        // The code running this test faulted some pages back in at once; most stay out.
        #expect(after.rss < before.rss, "Rss of the read-only mappings: \(before.rss) → \(after.rss) kB")
        // RELRO pages are private copies written by the loader: never dropped (their bytes differ from the file).
        #expect(after.anonymous == before.anonymous)
        // The process still runs code and reads constants from the pages it dropped.
        #expect(ExecutablePages.release() >= 0)
        #expect(String(describing: [1, 2, 3]) == "[1, 2, 3]")
    }
}
