@testable import PicoChannels
import Testing

@Suite("Allowlist")
struct AllowlistTests {
    @Test func numericIDsMatchExactly() {
        let list = Allowlist([" 123456789 ", "42"], platform: "telegram")
        #expect(list.decide(senderID: "123456789", username: "alice") == .allowed(.byID))
        #expect(list.decide(senderID: "42", username: nil) == .allowed(.byID))
        #expect(list.decide(senderID: "4", username: nil) == .refused)
        #expect(list.decide(senderID: "1234567890", username: nil) == .refused)
    }

    @Test func emptyListAllowsNoOne() {
        let list = Allowlist(["", "  "], platform: "discord")
        #expect(list.isEmpty)
        #expect(list.decide(senderID: "1", username: "anyone") == .refused)
    }

    @Test func starAllowsEveryoneButIDsStillWin() {
        let list = Allowlist(["*", "7"], platform: "telegram")
        #expect(list.decide(senderID: "99", username: nil) == .allowedEveryone)
        #expect(list.decide(senderID: "7", username: nil) == .allowed(.byID))
    }

    @Test func usernamesAreWeakAndCaseInsensitive() {
        let list = Allowlist(["@Alice", "bob_99"], platform: "telegram")
        #expect(list.usernames == ["alice", "bob_99"])
        #expect(list.decide(senderID: "1", username: "ALICE") == .allowed(.byUsername))
        #expect(list.decide(senderID: "2", username: "@bob_99") == .allowed(.byUsername))
        #expect(list.decide(senderID: "3", username: "carol") == .refused)
        #expect(list.decide(senderID: "4", username: nil) == .refused)
    }

    @Test func compoundEntriesMatchByIDOnly() {
        let list = Allowlist(["123|alice", "@456|bob"], platform: "telegram")
        #expect(list.decide(senderID: "123", username: "mallory") == .allowed(.byID))
        #expect(list.decide(senderID: "456", username: nil) == .allowed(.byID))
        #expect(list.decide(senderID: "999", username: "alice") == .refused)
    }

    @Test func platformPrefixedIDs() {
        let telegram = Allowlist(["telegram:123", "discord:456", "Telegram:789"], platform: "telegram")
        #expect(telegram.ids == ["123", "789"])
        #expect(telegram.ignoredEntries.count == 1)
        let discord = Allowlist(["telegram:123", "discord:456"], platform: "discord")
        #expect(discord.decide(senderID: "456", username: nil) == .allowed(.byID))
        #expect(discord.decide(senderID: "123", username: nil) == .refused)
    }

    @Test func junkIsIgnoredAndReported() {
        let list = Allowlist(["not an id!", "abc|def"], platform: "telegram")
        #expect(list.isEmpty)
        #expect(list.ignoredEntries.count == 2)
    }
}
