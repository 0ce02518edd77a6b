#if canImport(Glibc)
import Glibc
#endif
import Logging
@testable import PicoChannels
import PicoFakes
import PicoSystem
import Testing

@Suite("Telegram offset store")
struct TelegramOffsetStoreTests {
    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// `record` with the offset's first digit changed (the checksum no longer matches).
    private func flippedDigit(_ record: [UInt8]) -> [UInt8] {
        var r = record
        let i = "{\"offset\":".utf8.count
        r[i] = r[i] == UInt8(ascii: "9") ? UInt8(ascii: "1") : r[i] + 1
        return r
    }

    private func writeRaw(_ path: String, _ content: [UInt8], mode: mode_t = 0o600) throws {
        try StateFile.write(path, content)
        _ = chmod(path, mode)
    }

    private func fileSize(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }

    @Test func recordIsFixedSizePaddedJSONAndRoundTrips() throws {
        for offset: Int64 in [0, 1, 9, 10, 123_456_789, Int64.max] {
            let record = TelegramOffsetStore.record(offset)
            #expect(record.count == TelegramOffsetStore.recordSize)
            #expect(record.last == UInt8(ascii: "\n"))
            #expect(try TelegramOffsetStore.parse(record) == offset)
        }
        // Files written by earlier versions stay readable.
        #expect(try TelegramOffsetStore.parse(bytes("{\"offset\":42}")) == 42)
    }

    @Test func corruptRecordsAreRejected() {
        let good = TelegramOffsetStore.record(1234)
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("short", Array(good.prefix(20))),
            ("zeroed", [UInt8](repeating: 0, count: TelegramOffsetStore.recordSize)),
            ("other digit", flippedDigit(good)),
            ("garbage", bytes("not json at all")),
            ("negative", bytes("{\"offset\":-5}")),
        ]
        for (name, content) in cases {
            #expect(throws: StateFile.Failure.self, "\(name)") { try TelegramOffsetStore.parse(content) }
        }
    }

    @Test func everySaveIsReadableWithoutCloseAndFileStaysPrivate() async throws {
        let tmp = TempDir("picoclaw-channels")
        defer { tmp.remove() }
        let path = tmp.at("state/telegram-offset")
        let log = LogRecorder()
        let store = TelegramOffsetStore(path: path, logger: log.logger())
        #expect(await store.load() == nil)
        for offset: Int64 in 1...500 {
            await store.save(offset)
            // What a process killed right now would find on the next start (the page cache outlives it).
            if offset % 97 == 0 || offset == 1 {
                #expect(await TelegramOffsetStore(path: path, logger: log.logger()).load() == offset)
            }
        }
        #expect(await TelegramOffsetStore(path: path, logger: log.logger()).load() == 500)
        #expect(fileSize(path) == TelegramOffsetStore.recordSize)
        #expect(TempDir.mode(path) == 0o600)
        #expect(TempDir.mode(Directories.parent(of: path)) == 0o700)
        await store.close()
        await store.save(501)  // after close: ignored
        #expect(await TelegramOffsetStore(path: path, logger: log.logger()).load() == 500)
        #expect(!log.messages.contains { $0.contains("cannot") || $0.contains("ignoring") })
    }

    @Test func frequentSavesSyncOnlyOccasionally() async throws {
        let tmp = TempDir("picoclaw-channels")
        defer { tmp.remove() }
        let path = tmp.at("state/telegram-offset")
        let log = LogRecorder()
        let store = TelegramOffsetStore(path: path, logger: log.logger(), syncInterval: .seconds(3600))
        let clock = ContinuousClock()
        await store.save(1)  // opens the file (atomic replace)
        let elapsed = await clock.measure {
            for offset: Int64 in 2...2001 { await store.save(offset) }
        }
        #expect(await TelegramOffsetStore(path: path, logger: log.logger()).load() == 2001)
        await store.close()
        // 2000 in-place writes without fsync take a few milliseconds; a generous bound against slow CI.
        #expect(elapsed < .seconds(2), "2000 saves took \(elapsed)")
    }

    @Test(arguments: ["short", "zeroed", "checksum"])
    func corruptFileIsIgnoredWithAWarningAndRewritten(kind: String) async throws {
        let tmp = TempDir("picoclaw-channels")
        defer { tmp.remove() }
        let path = tmp.at("state/telegram-offset")
        let content: [UInt8] =
            switch kind {
            case "short": Array(TelegramOffsetStore.record(77).prefix(13))
            case "zeroed": [UInt8](repeating: 0, count: TelegramOffsetStore.recordSize)
            default: flippedDigit(TelegramOffsetStore.record(77))
            }
        try writeRaw(path, content)
        let log = LogRecorder()
        let store = TelegramOffsetStore(path: path, logger: log.logger())
        #expect(await store.load() == nil)
        #expect(log.contains("telegram: ignoring unreadable offset file \(path)"))
        await store.save(80)
        #expect(await TelegramOffsetStore(path: path, logger: log.logger()).load() == 80)
        #expect(TempDir.mode(path) == 0o600)
        await store.close()
    }

    @Test func legacyFileWithLooseModeIsReadAndReplacedPrivately() async throws {
        let tmp = TempDir("picoclaw-channels")
        defer { tmp.remove() }
        let path = tmp.at("state/telegram-offset")
        try writeRaw(path, bytes("{\"offset\":42}"), mode: 0o644)
        let log = LogRecorder()
        let store = TelegramOffsetStore(path: path, logger: log.logger())
        #expect(await store.load() == 42)
        await store.save(43)
        #expect(TempDir.mode(path) == 0o600)
        #expect(fileSize(path) == TelegramOffsetStore.recordSize)
        #expect(await TelegramOffsetStore(path: path, logger: log.logger()).load() == 43)
        await store.close()
    }

    @Test func symlinkedStateFileIsReplacedNotFollowed() async throws {
        let tmp = TempDir("picoclaw-channels")
        defer { tmp.remove() }
        let path = tmp.at("state/telegram-offset")
        let target = Directories.parent(of: path) + "/elsewhere"
        try writeRaw(target, bytes("precious"), mode: 0o644)
        #expect(symlink(target, path) == 0)
        let store = TelegramOffsetStore(path: path, logger: LogRecorder().logger())
        await store.save(5)
        await store.save(6)
        await store.close()
        var st = stat()
        #expect(lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG)
        #expect(try StateFile.read(target) == bytes("precious"))
        #expect(await TelegramOffsetStore(path: path, logger: LogRecorder().logger()).load() == 6)
    }

    @Test func unwritableStateFileIsLoggedAndDoesNotStopSaving() async throws {
        let tmp = TempDir("picoclaw-channels")
        defer { tmp.remove() }
        let blocker = tmp.at("not-a-directory")
        try writeRaw(blocker, bytes("x"))
        let path = blocker + "/telegram-offset"
        let log = LogRecorder()
        let store = TelegramOffsetStore(path: path, logger: log.logger(), retryInterval: .seconds(3600))
        await store.save(1)
        await store.save(2)  // within the retry interval: no new attempt, no log spam
        #expect(log.count("telegram: cannot persist the update offset to \(path)") == 1)
        await store.close()
    }
}

extension TelegramChannelTests {
    @Test func corruptStateFileFallsBackAndIsRepaired() async throws {
        let fake = try await FakeTelegram.start()
        let tmp = TempDir("picoclaw-channels")
        defer { tmp.remove() }
        let stateFile = tmp.at("state/telegram-offset")
        try StateFile.write(stateFile, Array("{\"offset\":12".utf8))  // cut short
        let log = LogRecorder()
        let channel = makeChannel(fake, stateFile: stateFile, log: log)
        try await channel.start()
        #expect(log.contains("telegram: ignoring unreadable offset file \(stateFile)"))
        #expect(await channel.state == .connected)
        let id = fake.enqueueTextMessage(from: 1001, text: "still works")
        var inbound = channel.inbound.makeAsyncIterator()
        #expect(try await nextMessage(&inbound).text == "still works")
        try await eventually("offset persisted") {
            (try? StateFile.read(stateFile)).flatMap { $0 }.flatMap { try? TelegramOffsetStore.parse($0) }
                == Int64(id + 1)
        }
        #expect(TempDir.mode(stateFile) == 0o600)
        await channel.stop()
        await fake.stop()
    }
}
