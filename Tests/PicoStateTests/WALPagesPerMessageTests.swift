import Glibc
import PicoFakes
import Testing

@testable import PicoState

/// What one plain message writes to the WAL: the gateway's three commits (the inbox record with the sender's
/// count and the channel cursor; the session, usage, reply and message state; the delivery mark), counted frame
/// by frame from the WAL file and named by the table or index each page belongs to (`dbstat`).
@Suite("WAL pages per message")
struct WALPagesPerMessageTests {
    @Test func aPlainMessageWritesOnlyThePagesItsRowsLiveOn() async throws {
        let dir = TempDir()
        let state = dir.at("state")
        var store = try await StateStore.open(directory: state, migrations: OwnerControlsSchema.migrations)
        var counter = WALFrameCounter(path: store.path + "-wal")
        for i in 0..<10 { try await Self.message(store, i, &counter) }  // every table has its rows' pages
        await store.close()  // checkpoints and empties the WAL
        store = try await StateStore.open(directory: state, migrations: OwnerControlsSchema.migrations)
        counter = WALFrameCounter(path: store.path + "-wal")
        let messages = 30
        for i in 10..<(10 + messages) { try await Self.message(store, i, &counter) }
        let pages = try await store.read { db throws(StateError) in
            Dictionary(
                try db.query("SELECT pageno, name FROM dbstat").map { ($0.int(0), $0.text(1) ?? "?") },
                uniquingKeysWith: { a, _ in a })
        }
        await store.close()

        var byCommit: [String: [String: Int]] = [:]
        for (commit, frames) in counter.frames {
            for page in frames {
                byCommit[commit, default: [:]][page == 1 ? "page 1" : pages[page] ?? "\(page)", default: 0] += 1
            }
        }
        let described = byCommit.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.sorted { $0.key < $1.key })" }
        // Before (core and usage schema version 1) about 20 pages: accept 7.8, turn 9.2, delivery 3, of which a
        // `sqlite_sequence` page in two commits, the partial index `inbox_open` in all three, the outbox's and the
        // usage tables' key indexes. Now each commit writes the pages of the rows it changes, and the index pages of
        // keys it adds: the inbox's unique key and the session messages' index. (A row rewritten with the same
        // bytes, e.g. `sessions.updated_at` within one second, writes no page.)
        let allowed: [String: Set<String>] = [
            "accept": ["inbox", "sqlite_autoindex_inbox_1", "usage_minute", "usage_daily", "cursors"],
            "turn": ["sessions", "session_messages", "session_messages_by_session", "usage_daily", "outbox", "inbox"],
            "delivery": ["outbox", "inbox"],
        ]
        for (commit, tables) in allowed {
            // Page 1 (the file's size) and pages new to the file (dbstat names them once they hold rows).
            var growth = 0
            for (table, count) in byCommit[commit] ?? [:] {
                if tables.contains(table) {
                    #expect(Double(count) / Double(messages) <= 1.2, "\(commit), \(table): \(described)")
                } else if table == "page 1" || Int(table) != nil {
                    growth += count
                } else {
                    Issue.record("\(commit) writes a page of \(table): \(described)")
                }
            }
            #expect(Double(growth) / Double(messages) <= 0.3, "\(commit): \(described)")
        }
        let total = Double(counter.frames.values.map(\.count).reduce(0, +)) / Double(messages)
        #expect(total <= 14, "\(described)")
    }

    /// One plain message as the gateway stores it.
    static func message(_ store: StateStore, _ i: Int, _ counter: inout WALFrameCounter) async throws {
        let chat = "\(i % 4)"
        counter.mark()
        let entry = try await store.accept(
            [
                InboxDraft(
                    channel: "telegram", chat: chat, messageID: "\(i)", conversation: "telegram:\(chat)",
                    payload: #"{"channel":"telegram","chatID":"\#(chat)","text":"hello \#(i)"}"#, countsSender: chat)
            ], cursor: CursorValue(name: "telegram.offset", value: "\(i + 1)"), durable: false, countingStart: true)[0]
        try await store.syncToDisk()
        counter.count("accept")
        let reply = try await store.completeTurn(
            inboxID: entry.id,
            session: SessionWrite(
                key: "telegram:\(chat)", agent: "main",
                messages: [#"{"role":"user","content":"hello \#(i)"}"#, #"{"role":"assistant","content":"hi \#(i)"}"#]),
            reply: OutboxDraft(channel: "telegram", chat: chat, replyTo: "\(i)", text: "hi \(i)"),
            charge: ModelCharge(
                channel: "telegram", sender: chat, promptTokens: 20, completionTokens: 5, costMicroUSD: 3))
        counter.count("turn")
        try await store.finishDelivery(outboxID: reply!.id)
        counter.count("delivery")
    }
}

/// Reads the frames appended to a WAL file since the last ``mark()`` (page number of each frame header).
struct WALFrameCounter {
    let path: String
    private var offset = 32
    /// Page numbers written, per commit name.
    private(set) var frames: [String: [Int64]] = [:]

    init(path: String) { self.path = path }

    mutating func mark() {
        var st = stat()
        offset = stat(path, &st) == 0 ? max(32, Int(st.st_size)) : 32
    }

    mutating func count(_ commit: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        precondition(fd >= 0, "cannot open \(path)")
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 32)
        precondition(pread(fd, &header, 32, 0) == 32, "no WAL header")
        let pageSize = header[8..<12].reduce(0) { $0 << 8 | Int($1) }
        var frame = [UInt8](repeating: 0, count: 24)
        // A frame of this WAL generation carries the header's salts (older frames past a restart do not).
        while pread(fd, &frame, 24, off_t(offset)) == 24, frame[8..<16] == header[16..<24] {
            frames[commit, default: []].append(frame[0..<4].reduce(Int64(0)) { $0 << 8 | Int64($1) })
            offset += 24 + pageSize
        }
    }
}
