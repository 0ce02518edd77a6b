@testable import PicoAudit
import Testing

/// The mode and shell text every finding's fix is written in.
@Suite("audit text: modes and shell quoting")
struct AuditTextTests {
    @Test func symbolicRemovalNamesTheBitsTakenAwayAndMergesClassesThatLoseTheSame() {
        #expect(symbolicRemoval(0o700) == "go-rwx")
        #expect(symbolicRemoval(0o740) == "g-wx,o-rwx")
        #expect(symbolicRemoval(0o755) == "go-w")
        #expect(symbolicRemoval(0o777) == "")
    }

    @Test func octalTextHasFourDigitsAndShortOctalThree() {
        #expect(octal(0o644) == "0644")
        #expect(octal(0o100644) == "0644", "file-type bits are not permission bits")
        #expect(shortOctal(0o600) == "600")
        #expect(shortOctal(0o1777) == "1777")
        #expect(shortOctal(0o7) == "007")
    }

    @Test func shellQuotingLeavesPlainPathsAndQuotesEverythingElse() {
        #expect(shellQuoted("/home/u/.picoclaw/config.json") == "/home/u/.picoclaw/config.json")
        #expect(shellQuoted("/tmp/my dir") == "'/tmp/my dir'")
        #expect(shellQuoted("/tmp/it's") == "'/tmp/it'\\''s'")
        #expect(shellQuoted("/tmp/$(rm -rf ~)") == "'/tmp/$(rm -rf ~)'")
        #expect(shellQuoted("") == "''")
    }
}
