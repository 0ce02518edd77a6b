import Glibc
import PicoFakes
@testable import PicoGateway
import Testing

/// `MappedCodePages.release()` run on this test process: the clean file-backed pages of the executable and of
/// its start-up libraries go, the relocated (RELRO) pages stay, a file mapped later is left alone, and the
/// process keeps running the code it just unmapped.
@Suite("mapped code pages")
struct MappedCodePagesTests {
    /// Rss and Anonymous kB summed over the non-writable mappings whose path satisfies `select`
    /// (`/proc/self/smaps`).
    private static func readOnlyMemory(where select: (String) -> Bool) -> (rss: Int, anonymous: Int) {
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
                inside = fields.count >= 6 && select(fields[5...].joined(separator: " ")) && !fields[1].contains("w")
            } else if inside, fields.count >= 2, let kB = Int(fields[1]) {
                if fields[0] == "Rss:" { rss += kB }
                if fields[0] == "Anonymous:" { anonymous += kB }
            }
        }
        return (rss, anonymous)
    }

    private static var executablePath: String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlink("/proc/self/exe", &buffer, 4096)
        return n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
    }

    @Test func dropsCleanPagesOfTheExecutableAndItsLibrariesAndKeepsRelocatedOnes() {
        MappedCodePages.recordStartupMappings()
        let exe = Self.executablePath
        let isLibrary = { (path: String) in path.contains(".so") }
        let before = (exe: Self.readOnlyMemory { $0 == exe }, libs: Self.readOnlyMemory(where: isLibrary))
        let released = MappedCodePages.release()
        let after = (exe: Self.readOnlyMemory { $0 == exe }, libs: Self.readOnlyMemory(where: isLibrary))
        #expect(released.executable > 0 && released.libraries > 0)
        #expect(before.exe.rss > 0 && before.libs.rss > 0)
        // The code running this test faulted some pages back in at once; most stay out. (The libraries' Rss is
        // not compared: in this debug build the test's own code runs in libswiftCore.so, and each fault maps up
        // to 64 KiB of cached neighbours, which can exceed what was mapped before.)
        #expect(after.exe.rss < before.exe.rss, "Rss of the executable: \(before.exe.rss) → \(after.exe.rss) kB")
        // RELRO pages are private copies written by the loader: never dropped (their bytes differ from the file).
        #expect(after.exe.anonymous == before.exe.anonymous)
        #expect(after.libs.anonymous == before.libs.anonymous)
        // The process still runs code and reads constants from the pages it dropped.
        #expect(MappedCodePages.release().total >= 0)
        #expect(String(describing: [1, 2, 3]) == "[1, 2, 3]")
    }

    @Test func leavesFilesMappedAfterStartUpAlone() {
        MappedCodePages.recordStartupMappings()
        let dir = TempDir()
        let path = dir.path + "/mapped-later"
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let bytes = [UInt8](repeating: 0x5A, count: 8 * pageSize)
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        #expect(fd >= 0)
        defer { close(fd) }
        #expect(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count)
        let region = mmap(nil, bytes.count, PROT_READ, MAP_PRIVATE, fd, 0)
        #expect(region != MAP_FAILED)
        guard let region, region != MAP_FAILED else { return }
        defer { munmap(region, bytes.count) }
        var sum = 0
        for page in 0..<8 { sum += Int(region.load(fromByteOffset: page * pageSize, as: UInt8.self)) }
        #expect(sum == 8 * 0x5A)
        let before = Self.readOnlyMemory { $0 == path }
        MappedCodePages.release()
        let after = Self.readOnlyMemory { $0 == path }
        #expect(before.rss == 8 * pageSize / 1024)
        #expect(after.rss == before.rss, "a file mapped after start-up lost pages: \(before.rss) → \(after.rss) kB")
    }
}
