import Glibc
@testable import PicoAudit
import PicoFakes
import Testing

/// What the audit reads about one path, and its lexical path helpers.
@Suite("audit file info and paths")
struct AuditFileInfoTests {
    @Test func parentAndAncestorsAreLexical() {
        #expect(AuditPath.parent("/a/b/") == "/a")
        #expect(AuditPath.parent("/a") == "/")
        #expect(AuditPath.parent("relative") == ".")
        #expect(AuditPath.selfAndAncestors("/a/b") == ["/a/b", "/a", "/"])
    }

    @Test func inspectReportsKindModeAndASymlinksTarget() throws {
        let dir = TempDir("pico-audit-info")
        dir.write("config.json", "{}", mode: 0o644)
        dir.link(dir.at("config.json"), at: "link")
        dir.link(dir.at("missing"), at: "dangling")
        let file = try #require(AuditFileInfo.inspect(dir.at("config.json")))
        #expect(file.kind == .file && file.mode == 0o644 && file.isWorldReadable && !file.isGroupWritable)
        let link = try #require(AuditFileInfo.inspect(dir.at("link")))
        #expect(link.kind == .symlink && link.effectiveKind == .file && link.mode == 0o644)
        #expect(link.linkTarget == dir.at("config.json"))
        let dangling = try #require(AuditFileInfo.inspect(dir.at("dangling")))
        #expect(dangling.kind == .symlink && dangling.effectiveKind == nil)
        #expect(AuditFileInfo.inspect(dir.at("missing")) == nil)
    }
}
