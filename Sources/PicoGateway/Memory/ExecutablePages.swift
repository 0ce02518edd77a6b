import Glibc

/// Takes the executable's clean file-backed pages out of this process's page tables once the gateway has
/// settled, so code that ran once (argument parsing, config loading, start-up checks, one-off Swift runtime
/// work) stops counting as the gateway's memory. The pages stay in the kernel's page cache: whatever runs
/// again (the idle poll, the next message) maps them back with a minor fault, no disk read. (The kernel maps up
/// to 64 KiB of cached neighbours with each such fault, whatever `MADV_RANDOM` says; the release build therefore
/// places the functions the running gateway uses together: `scripts/release-build.order`.)
///
/// Only pages that are provably unchanged copies of the file are dropped: mappings of the executable that are
/// not writable, and within them only pages that `/proc/self/pagemap` reports present *and* file-backed.
/// Pages the dynamic loader relocated (RELRO: read-only now, but private anonymous copies) are never touched,
/// so `MADV_DONTNEED` cannot revert data to its on-disk bytes. (`MADV_PAGEOUT` would also free the page-cache
/// copy, but the kernel ignores it for files the process may not write, such as a root-owned binary run by
/// an unprivileged user.)
public enum ExecutablePages {
    /// Drops the executable's resident clean file-backed pages; returns how many bytes were dropped.
    @discardableResult
    public static func release() -> Int {
        guard let exe = executableIdentity(), let maps = fopen("/proc/self/maps", "re") else { return 0 }
        defer { fclose(maps) }
        let pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)
        guard pagemap >= 0 else { return 0 }
        defer { close(pagemap) }
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        var ranges: [(start: UInt, end: UInt)] = []
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, maps) > 0, let text = line {
            var entry = String(cString: text)
            if entry.hasSuffix("\n") { entry.removeLast() }
            guard let m = Mapping(Substring(entry)), m.inode == exe.inode, m.path == exe.path,
                !m.writable, m.isPrivate, m.end > m.start
            else { continue }
            ranges.append((m.start, m.end))
        }
        return ranges.reduce(0) { $0 + releaseRange($1.start, $1.end, pageSize: pageSize, pagemap: pagemap) }
    }

    /// `madvise(MADV_DONTNEED)` over each run of present, file-backed pages in `[start, end)`.
    private static func releaseRange(_ start: UInt, _ end: UInt, pageSize: Int, pagemap: Int32) -> Int {
        let pages = Int((end - start) / UInt(pageSize))
        var entries = [UInt64](repeating: 0, count: pages)
        let wanted = pages * 8
        let got = entries.withUnsafeMutableBytes {
            pread(pagemap, $0.baseAddress, wanted, off_t(start / UInt(pageSize)) * 8)
        }
        guard got == wanted else { return 0 }
        let present: UInt64 = 1 << 63, fileOrSharedAnon: UInt64 = 1 << 61
        var released = 0
        var runStart = -1
        for i in 0...pages {
            let clean = i < pages && entries[i] & (present | fileOrSharedAnon) == (present | fileOrSharedAnon)
            if clean, runStart < 0 { runStart = i }
            if !clean, runStart >= 0 {
                let address = UnsafeMutableRawPointer(bitPattern: start + UInt(runStart * pageSize))
                let length = (i - runStart) * pageSize
                if madvise(address, length, MADV_DONTNEED) == 0 { released += length }
                runStart = -1
            }
        }
        return released
    }

    /// One line of `/proc/self/maps`: `start-end perms offset dev inode path`.
    private struct Mapping {
        var start: UInt
        var end: UInt
        var writable: Bool
        var isPrivate: Bool
        var inode: UInt64
        var path: Substring

        init?(_ line: Substring) {
            let f = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard f.count == 6, let dash = f[0].firstIndex(of: "-"),
                let s = UInt(f[0][..<dash], radix: 16), let e = UInt(f[0][f[0].index(after: dash)...], radix: 16),
                let inode = UInt64(f[4])
            else { return nil }
            let perms = Array(f[1].utf8)
            guard perms.count == 4 else { return nil }
            start = s
            end = e
            writable = perms[1] == UInt8(ascii: "w")
            isPrivate = perms[3] == UInt8(ascii: "p")
            self.inode = inode
            path = f[5].drop { $0 == " " }
        }
    }

    /// The running executable's path and inode (`/proc/self/exe`).
    private static func executableIdentity() -> (path: String, inode: UInt64)? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        var st = stat()
        guard n > 0, stat("/proc/self/exe", &st) == 0 else { return nil }
        let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (path, UInt64(st.st_ino))
    }
}
