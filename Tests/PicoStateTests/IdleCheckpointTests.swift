import Glibc
import PicoFakes
import PicoState
import Testing

/// A message's commit does not wait for a WAL checkpoint: commits let the WAL grow past SQLite's usual 1,000 pages,
/// and the gateway's idle moment (``StateStore/releaseMemory()``) copies it into the database.
@Suite("checkpoint when idle")
struct IdleCheckpointTests {
    @Test func commitsLeaveTheCheckpointToTheIdleMoment() async throws {
        let dir = TempDir()
        let store = try await StateStore.open(directory: dir.at("state"))
        let start = try #require(WALIndex(store.path))
        let payload = String(repeating: "x", count: 3000)  // an overflow page per row: the WAL grows quickly
        var i = 0
        while i < 3000, (WALIndex(store.path)?.maxFrame ?? 0) < 1500 {
            _ = try await store.accept(
                [InboxDraft(channel: "telegram", chat: "1", messageID: "\(i)", conversation: "c", payload: payload)],
                durable: false)
            i += 1
        }
        let busy = try #require(WALIndex(store.path))
        #expect(busy.maxFrame >= 1500, "the WAL was reset: a commit checkpointed")
        #expect(busy.backfilled == start.backfilled, "a commit copied WAL pages into the database")

        await store.releaseMemory()
        let idle = try #require(WALIndex(store.path))
        #expect(idle.maxFrame == busy.maxFrame)
        #expect(idle.backfilled == idle.maxFrame, "the idle moment left WAL pages uncopied")
        #expect(try await store.openTurns().count == i)
        await store.close()
    }
}

/// The WAL index header SQLite keeps in `<database>-shm` (native byte order): the last valid frame and how many
/// frames have been copied into the database file.
struct WALIndex {
    let maxFrame: UInt32
    let backfilled: UInt32

    init?(_ database: String) {
        let fd = open(database + "-shm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 100)
        guard pread(fd, &header, header.count, 0) == header.count else { return nil }
        func word(_ offset: Int) -> UInt32 {
            header[offset..<offset + 4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        }
        maxFrame = word(16)  // WalIndexHdr.mxFrame
        backfilled = word(96)  // WalCkptInfo.nBackfill, after the header's two 48-byte copies
    }
}
