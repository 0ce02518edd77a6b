import Glibc

/// Takes clean file-backed pages of the executable and of the shared libraries the dynamic loader mapped at
/// start-up out of this process's page tables once the gateway has settled, so code and constants that were
/// used once (argument parsing, config loading, start-up checks, one-off Swift runtime work, the libraries'
/// constructors: OpenSSL, GnuTLS, Kerberos and the other libcurl dependencies initialise themselves at load
/// time and are never used again on a plain-HTTP or OpenSSL connection) stop counting as the gateway's memory.
/// The pages stay in the kernel's page cache: whatever runs again (the idle poll, the next message) maps them
/// back with a minor fault, no disk read. (The kernel maps up to 64 KiB of cached neighbours with each such
/// fault, whatever `MADV_RANDOM` says; the release build therefore places the functions the running gateway
/// uses together: `scripts/release-build.order`.)
///
/// Only pages that are provably unchanged copies of the file are dropped: private, non-writable mappings, and
/// within them only pages that `/proc/self/pagemap` reports present *and* file-backed. Pages the dynamic loader
/// relocated (RELRO: read-only now, but private anonymous copies) are never touched, so `MADV_DONTNEED` cannot
/// revert data to its on-disk bytes. Only files mapped before `recordStartupMappings()` ran are considered: the
/// executable and its `DT_NEEDED` libraries stay mapped at the same addresses for the life of the process,
/// whereas a library loaded later with `dlopen` could in principle be unmapped and its addresses reused between
/// reading `/proc/self/maps` and the `madvise`. (`MADV_PAGEOUT` would also free the page-cache copy, but the
/// kernel ignores it for files the process may not write, such as a root-owned binary run by an unprivileged
/// user.)
public enum MappedCodePages {
    /// A mapped file: device (as `/proc/self/maps` prints it) and inode.
    struct FileID: Hashable {
        var device: Substring
        var inode: UInt64
    }

    /// The files mapped when the process started (the executable and its start-up libraries).
    private static let startupFiles: Set<FileID> = {
        var files = Set<FileID>()
        forEachMapping { m in if m.inode != 0 { files.insert(FileID(device: m.device, inode: m.inode)) } }
        return files
    }()

    /// Records which files are mapped now; call first thing in `main`, before anything may `dlopen`. Without
    /// it the first `release()` records them.
    public static func recordStartupMappings() { _ = startupFiles }

    /// Bytes dropped by one `release()`.
    public struct Released: Sendable {
        /// Of the executable's mappings.
        public var executable = 0
        /// Of the start-up libraries' mappings.
        public var libraries = 0
        public var total: Int { executable + libraries }
    }

    /// Drops the resident clean file-backed pages of the start-up files.
    @discardableResult
    public static func release() -> Released {
        let files = startupFiles
        var released = Released()
        let pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)
        guard pagemap >= 0 else { return released }
        defer { close(pagemap) }
        var executable = stat()
        let exeInode = stat("/proc/self/exe", &executable) == 0 ? UInt64(executable.st_ino) : 0
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        var ranges: [(start: UInt, end: UInt, isExecutable: Bool)] = []
        forEachMapping { m in
            guard m.inode != 0, !m.writable, m.isPrivate, m.end > m.start,
                files.contains(FileID(device: m.device, inode: m.inode))
            else { return }
            ranges.append((m.start, m.end, m.inode == exeInode))
        }
        for r in ranges {
            let bytes = releaseRange(r.start, r.end, pageSize: pageSize, pagemap: pagemap)
            if r.isExecutable { released.executable += bytes } else { released.libraries += bytes }
        }
        return released
    }

    /// Calls `body` with each line of `/proc/self/maps`.
    private static func forEachMapping(_ body: (Mapping) -> Void) {
        guard let maps = fopen("/proc/self/maps", "re") else { return }
        defer { fclose(maps) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, maps) > 0, let text = line {
            var entry = String(cString: text)
            if entry.hasSuffix("\n") { entry.removeLast() }
            if let m = Mapping(Substring(entry)) { body(m) }
        }
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
    struct Mapping {
        var start: UInt
        var end: UInt
        var writable: Bool
        var isPrivate: Bool
        var device: Substring
        var inode: UInt64
        var path: Substring

        init?(_ line: Substring) {
            let f = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard f.count >= 5, let dash = f[0].firstIndex(of: "-"),
                let s = UInt(f[0][..<dash], radix: 16), let e = UInt(f[0][f[0].index(after: dash)...], radix: 16),
                let inode = UInt64(f[4])
            else { return nil }
            let perms = Array(f[1].utf8)
            guard perms.count == 4 else { return nil }
            start = s
            end = e
            writable = perms[1] == UInt8(ascii: "w")
            isPrivate = perms[3] == UInt8(ascii: "p")
            device = f[3]
            self.inode = inode
            path = f.count == 6 ? f[5].drop { $0 == " " } : ""
        }
    }
}
