import Glibc
import PicoFakes
import PicoState
import Testing

/// ``StateStore/syncToDisk()`` keeps one descriptor of the WAL for the store's life instead of opening and closing
/// it per call, and closes it with the store.
@Suite("WAL sync")
struct WALSyncTests {
    @Test func syncingKeepsOneDescriptorOfTheWALAndClosesItWithTheStore() async throws {
        let dir = TempDir()
        let store = try await StateStore.open(directory: dir.at("state"))
        let wal = store.path + "-wal"
        let sqliteOwn = Self.descriptors(of: wal)
        #expect(sqliteOwn == 1, "SQLite holds the WAL open")
        for i in 0..<20 {
            _ = try await store.accept(
                [InboxDraft(channel: "telegram", chat: "1", messageID: "\(i)", conversation: "c", payload: "{}")],
                durable: false)
            try await store.syncToDisk()
            #expect(Self.descriptors(of: wal) == sqliteOwn + 1)
        }
        await store.close()
        #expect(Self.descriptors(of: wal) == 0)
        await #expect(throws: StateError.self) { try await store.syncToDisk() }
    }

    /// This process's open descriptors of `path` (`/proc/self/fd`).
    static func descriptors(of path: String) -> Int {
        guard let dir = opendir("/proc/self/fd") else { return -1 }
        defer { closedir(dir) }
        var count = 0
        var target = [CChar](repeating: 0, count: 4096)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            let n = readlink("/proc/self/fd/" + name, &target, target.count - 1)
            guard n > 0 else { continue }
            if String(decoding: target[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) == path { count += 1 }
        }
        return count
    }
}
