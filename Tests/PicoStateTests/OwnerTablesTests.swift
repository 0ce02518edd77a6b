import Glibc
import PicoState
import PicoFakes
import Testing

/// Pairing codes, usage counters and standing approvals in the state store.
@Suite("state store: owner tables")
struct OwnerTablesTests {
    static func open(_ dir: TempDir) async throws -> StateStore {
        try await StateStore.open(directory: dir.at("state"), migrations: OwnerControlsSchema.migrations)
    }

    @Test func codesAreUnambiguousExpireAfterAnHourAndAreLimitedPerChannel() async throws {
        let dir = TempDir()
        let store = try await Self.open(dir)
        let t0: Int64 = 1_000_000
        guard
            case .issued(let code, let expires) = try await store.requestPairing(
                channel: "telegram", sender: "1", username: nil, chat: "1", now: t0)
        else {
            Issue.record("no code")
            return
        }
        #expect(code.count == 8 && code.allSatisfy { StateStore.pairingAlphabet.contains($0) })
        #expect(!code.contains { "01OIL".contains($0) })
        #expect(expires == t0 + 3600)
        #expect(
            try await store.requestPairing(channel: "telegram", sender: "1", username: nil, chat: "1", now: t0 + 10)
                == .alreadyIssued)
        for s in ["2", "3"] {
            guard
                case .issued = try await store.requestPairing(
                    channel: "telegram", sender: s, username: nil, chat: s, now: t0)
            else {
                Issue.record("no code for \(s)")
                return
            }
        }
        #expect(
            try await store.requestPairing(channel: "telegram", sender: "4", username: nil, chat: "4", now: t0)
                == .tooManyPending)
        guard
            case .issued = try await store.requestPairing(
                channel: "discord", sender: "4", username: nil, chat: "4", now: t0)
        else {
            Issue.record("the limit is per channel")
            return
        }
        // Expired: cannot be approved; the channel has room again; the expired sender still gets nothing new today.
        #expect(try await store.approvePairing(code: code, approver: "cli:test", now: t0 + 3601) == nil)
        #expect(try await store.pendingPairings(now: t0 + 3601).isEmpty)
        #expect(
            try await store.requestPairing(channel: "telegram", sender: "1", username: nil, chat: "1", now: t0 + 3700)
                == .alreadyIssued)
        guard
            case .issued(let fresh, _) = try await store.requestPairing(
                channel: "telegram", sender: "5", username: nil, chat: "5", now: t0 + 3700)
        else {
            Issue.record("no room after expiry")
            return
        }
        let paired = try #require(
            try await store.approvePairing(code: fresh.lowercased(), approver: "telegram:9", now: t0 + 3701))
        #expect(paired.sender == "5" && paired.approvedBy == "telegram:9")
        #expect(try await store.isPaired(channel: "telegram", sender: "5"))
        #expect(try await store.approvePairing(code: fresh, approver: "x", now: t0 + 3702) == nil)  // one-time
        #expect(try await store.revokePairing("telegram:5").count == 1)
        #expect(!(try await store.isPaired(channel: "telegram", sender: "5")))
        await store.close()
    }

    @Test func usageCountsPerDayAndMinuteAndSurvivesReopening() async throws {
        let dir = TempDir()
        var store = try await Self.open(dir)
        let noon: Int64 = 1_767_225_600 + 12 * 3600  // 2026-01-01 12:00 UTC
        #expect(StateStore.utcDay(noon) == "2026-01-01")
        #expect(try await store.countMessage(channel: "telegram", sender: "7", now: noon) == 1)
        #expect(try await store.countMessage(channel: "telegram", sender: "7", now: noon + 1) == 2)
        #expect(try await store.countMessage(channel: "telegram", sender: "7", now: noon + 61) == 1)
        try await store.recordModelCall(
            channel: "telegram", sender: "7", promptTokens: 100, completionTokens: 20, costMicroUSD: 1500, now: noon)
        #expect(try await store.firstLimitNotice(channel: "telegram", sender: "7", kind: "tokens_per_day", now: noon))
        #expect(
            !(try await store.firstLimitNotice(channel: "telegram", sender: "7", kind: "tokens_per_day", now: noon)))
        await store.close()
        store = try await Self.open(dir)
        let today = try await store.usage(channel: "telegram", sender: "7", now: noon + 100)
        #expect(today.messages == 3 && today.tokens == 120 && today.costMicroUSD == 1500 && today.modelCalls == 1)
        #expect(try await store.usage(channel: "telegram", sender: "7", now: noon + 86_400).tokens == 0)  // next day
        #expect(try await store.usageToday(now: noon).map(\.sender) == ["7"])
        try await store.addStandingApproval(hash: "h1", argv: "touch x", cwd: "/w", approvedBy: "telegram:1")
        #expect(try await store.hasStandingApproval(hash: "h1"))
        #expect(!(try await store.hasStandingApproval(hash: "h2")))
        await store.close()
    }

    @Test func theInboxCommitCountsItsSendersAndTheReplyCommitAddsTheModelCallOneVisitEach() async throws {
        let dir = TempDir()
        let store = try await Self.open(dir)
        func draft(_ id: String, counts: Bool) -> InboxDraft {
            InboxDraft(
                channel: "telegram", chat: "7", messageID: id, conversation: "c", payload: "{}",
                countsSender: counts ? "7" : nil)
        }
        let visits = store.operationCount
        let added = try await store.accept(
            [draft("1", counts: true), draft("2", counts: true), draft("3", counts: false)],
            cursor: CursorValue(name: "telegram.offset", value: "4"), durable: false, countingStart: true)
        #expect(store.operationCount == visits + 1)
        #expect(added.map(\.messagesInMinute) == [1, 2, nil])
        #expect(added.map(\.attempts) == [1, 1, 1])
        // A re-delivery is neither recorded nor counted.
        #expect(try await store.accept([draft("1", counts: true)]).isEmpty)
        #expect(try await store.usage(channel: "telegram", sender: "7").messages == 2)

        let charge = ModelCharge(
            channel: "telegram", sender: "7", promptTokens: 100, completionTokens: 20, costMicroUSD: 1500)
        let before = store.operationCount
        let reply = try await store.completeTurn(
            inboxID: added[0].id, session: SessionWrite(key: "c", agent: "main", messages: ["{}"]),
            reply: OutboxDraft(channel: "telegram", chat: "7", replyTo: nil, text: "hi"), charge: charge)
        #expect(reply?.text == "hi")
        #expect(store.operationCount == before + 1)
        try await store.record(charge)  // a tool-asking call is recorded on its own
        let today = try await store.usage(channel: "telegram", sender: "7")
        #expect(today.messages == 2 && today.modelCalls == 2 && today.tokens == 240 && today.costMicroUSD == 3000)
        // Nothing of it waits in memory: it is there after reopening.
        await store.close()
        let reopened = try await Self.open(dir)
        #expect(try await reopened.usage(channel: "telegram", sender: "7") == today)
        await reopened.close()
    }

    @Test func onlineBackupIsAConsistentStandaloneCopy() async throws {
        let dir = TempDir()
        let store = try await Self.open(dir)
        try await store.setCursor("telegram.offset", "42")
        try await store.backup(to: dir.at("copy.db"))
        var st = stat()
        #expect(stat(dir.at("copy.db"), &st) == 0 && st.st_mode & 0o777 == 0o600)
        await #expect(throws: StateError.self) { try await store.backup(to: dir.at("copy.db")) }  // never overwritten
        await store.close()
        mkdir(dir.at("restored"), 0o700)
        rename(dir.at("copy.db"), dir.at("restored/state.db"))
        let restored = try await StateStore.open(
            directory: dir.at("restored"), migrations: OwnerControlsSchema.migrations)
        #expect(try await restored.cursor("telegram.offset") == "42")
        await restored.close()
    }
}
