import Glibc
@testable import PicoAudit
import PicoFakes
import Testing

/// Onboarding's writer: exact modes whatever the umask, existing files kept unless forced, no symlink followed.
@Suite("onboard writer", .serialized)
struct OnboardWriterTests {
    @Test func createsWithExactModesUnderAPermissiveUmask() throws {
        let dir = TempDir("pico-onboard")
        let old = umask(0)
        defer { umask(old) }
        var writer = OnboardWriter(force: false)
        try writer.directory(dir.at("home/secrets"), mode: 0o700)
        try writer.file(dir.at("home/config.json"), text: "{}\n", mode: 0o600)
        #expect(dir.mode("home/secrets") == 0o700)
        #expect(dir.mode("home/config.json") == 0o600)
        #expect(dir.read("home/config.json") == "{}\n")
        #expect(writer.steps.map(\.outcome) == [.created, .created])
    }

    @Test func keepsExistingFilesUnlessForcedAndThenReplacesThem() throws {
        let dir = TempDir("pico-onboard")
        let path = dir.write("SOUL.md", "mine", mode: 0o644)
        var keep = OnboardWriter(force: false)
        try keep.file(path, text: "template", mode: 0o600)
        #expect(dir.read("SOUL.md") == "mine")
        #expect(keep.steps.first?.outcome == .kept)
        var force = OnboardWriter(force: true)
        try force.file(path, text: "template", mode: 0o600)
        #expect(dir.read("SOUL.md") == "template")
        #expect(dir.mode("SOUL.md") == 0o600)
        #expect(force.steps.first?.outcome == .replaced)
    }

    @Test func reportsALooseExistingDirectoryWithTheCommandToTightenIt() throws {
        let dir = TempDir("pico-onboard")
        let home = dir.mkdir("home", mode: 0o755)
        var writer = OnboardWriter(force: false)
        try writer.directory(home, mode: 0o700)
        #expect(writer.steps.first?.outcome == .kept)
        #expect(writer.steps.first?.note?.contains("chmod 700 \(home)") == true)
        #expect(dir.mode("home") == 0o755, "onboarding changed an existing directory")
    }

    @Test func refusesToWriteThroughASymlink() {
        let dir = TempDir("pico-onboard")
        let outside = dir.mkdir("outside")
        dir.link(outside, at: "home")
        var writer = OnboardWriter(force: true)
        #expect(throws: OnboardError.self) { try writer.file(dir.at("home/config.json"), text: "{}", mode: 0o600) }
        #expect(!dir.exists("outside/config.json"), "onboarding followed a symlink")
        #expect(throws: OnboardError.self) { try writer.directory(dir.at("home"), mode: 0o700) }
    }
}
