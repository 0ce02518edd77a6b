import Glibc
import Testing
@testable import PicoPolicy

/// Ports of PicoClaw's filesystem/edit tool tests plus the jail's refusals.
@Suite struct WorkspaceTests {
    let box = Sandbox()

    func workspace(restrict: Bool = true) throws -> Workspace {
        try Workspace(root: box.ws, restrictToWorkspace: restrict)
    }

    @Test func readSuccessAndRanges() throws {
        box.write("a.txt", "hello world")
        let w = try workspace()
        #expect(try w.read("a.txt").text == "hello world")
        let part = try w.read("a.txt", offset: 6, length: 3)
        #expect(part.text == "wor" && part.truncated && part.fileSize == 11)
        #expect(try w.read("a.txt", offset: 50).data.isEmpty)
        #expect(try w.read(box.ws + "/a.txt").text == "hello world")
    }

    @Test func readCapTruncates() throws {
        box.write("big.txt", String(repeating: "x", count: 1000))
        let w = try Workspace(root: box.ws, maxReadBytes: 100)
        let r = try w.read("big.txt")
        #expect(r.data.count == 100 && r.truncated)
        #expect(try w.read("big.txt", length: 5000).data.count == 100)
    }

    @Test func readNotFoundAndMissingPath() throws {
        let w = try workspace()
        #expect(throws: WorkspaceError.notFound("nope.txt")) { try w.read("nope.txt") }
        #expect(throws: WorkspaceError.invalidPath("", reason: "path is required")) { try w.read("") }
        #expect("\(WorkspaceError.notFound("nope.txt"))".contains("not found"))
    }

    @Test func readDirectoryFails() throws {
        box.mkdirs("sub")
        #expect(throws: WorkspaceError.isDirectory("sub")) { try workspace().read("sub") }
        #expect(throws: WorkspaceError.isDirectory("sub")) { try workspace(restrict: false).read("sub") }
    }

    @Test func refusesAbsoluteOutsideDotDotTildeNul() throws {
        let w = try workspace()
        #expect(throws: WorkspaceError.outsideWorkspace(box.canary)) { try w.read(box.canary) }
        #expect(throws: WorkspaceError.outsideWorkspace("../outside/secret.txt")) {
            try w.read("../outside/secret.txt")
        }
        #expect(throws: WorkspaceError.outsideWorkspace("a/../../x")) { try w.read("a/../../x") }
        #expect(throws: (any Error).self) { try w.read("~/.picoclaw/config.json") }
        #expect(throws: (any Error).self) { try w.read("a\u{0}b") }
        let error = #expect(throws: WorkspaceError.self) { try w.read(box.canary) }
        #expect("\(error!)".contains(box.canary))
    }

    @Test func symlinkEscapeRefusedInsideFollowed() throws {
        box.write("real.txt", "inside")
        box.mkdirs("dir")
        box.link(box.canary, at: "leak.txt")
        box.link(box.outside, at: "leakdir")
        box.link("../outside/secret.txt", at: "rel-leak")
        box.link("real.txt", at: "ok.txt")
        box.link(box.ws + "/real.txt", at: "abs-ok.txt")
        box.link("../real.txt", at: "dir/up.txt")
        let w = try workspace()
        for p in ["leak.txt", "leakdir/secret.txt", "rel-leak"] {
            #expect(throws: WorkspaceError.symlinkEscape(p)) { try w.read(p) }
            #expect(throws: WorkspaceError.symlinkEscape(p)) { try w.write(p, contents: "pwned") }
        }
        #expect(box.contents(box.canary) == box.canaryText)
        #expect(try w.read("ok.txt").text == "inside")
        #expect(try w.read("abs-ok.txt").text == "inside")
        #expect(try w.read("dir/up.txt").text == "inside")
        #expect(try w.resolve("ok.txt") == w.root + "/real.txt")
    }

    @Test func manualWalkMatchesOpenat2() throws {
        box.write("real.txt", "inside")
        box.mkdirs("d/e")
        box.link("../../real.txt", at: "d/e/up")
        box.link(box.ws + "/d", at: "absdir")
        box.link(box.outside, at: "out")
        let w = try workspace()
        func walk(_ p: String) throws -> String {
            let fd = try BeneathOpener.walk(
                root: w.root, rootFD: w.rootFD, path: p, flags: O_RDONLY | O_CLOEXEC, mode: 0, display: p)
            defer { close(fd) }
            return try w.descriptorPath(fd, display: p)
        }
        #expect(try walk("d/e/up") == w.root + "/real.txt")
        #expect(try walk("absdir/e/up") == w.root + "/real.txt")
        #expect(throws: WorkspaceError.symlinkEscape("out/secret.txt")) { try walk("out/secret.txt") }
        #expect(throws: WorkspaceError.notFound("d/missing")) { try walk("d/missing") }
    }

    @Test func writeCreatesParentsAtomicallyWithModes() throws {
        let w = try workspace()
        try w.write("deep/nested/path/to/file.txt", contents: "content")
        #expect(box.contents("deep/nested/path/to/file.txt") == "content")
        #expect(box.mode("deep/nested/path/to/file.txt") == 0o600)
        #expect(box.mode("deep") == 0o700)
        try w.write("deep/nested/path/to/file.txt", contents: "second")
        #expect(box.contents("deep/nested/path/to/file.txt") == "second")
        #expect(try w.list("deep/nested/path/to").map(\.name) == ["file.txt"])
    }

    @Test func writeBlockedByFileInPath() throws {
        box.write("blocker", "x")
        #expect(throws: WorkspaceError.notDirectory("blocker/a/b.txt")) {
            try workspace().write("blocker/a/b.txt", contents: "y")
        }
    }

    @Test func writeRefusesHardLinks() throws {
        box.write("shared.txt", "original")
        link(box.ws + "/shared.txt", box.ws + "/alias.txt")
        let w = try workspace()
        #expect(throws: WorkspaceError.hardLinked("alias.txt")) { try w.write("alias.txt", contents: "x") }
        #expect(throws: WorkspaceError.hardLinked("alias.txt")) { try w.append("alias.txt", contents: "x") }
        #expect(throws: WorkspaceError.hardLinked("alias.txt")) {
            try w.edit("alias.txt", oldText: "original", newText: "x")
        }
        #expect(box.contents("shared.txt") == "original")
    }

    @Test func writeThroughInsideSymlinkUpdatesTarget() throws {
        box.write("real.txt", "old")
        box.link("real.txt", at: "alias.txt")
        try workspace().write("alias.txt", contents: "new")
        #expect(box.contents("real.txt") == "new")
        #expect(isSymlink(box.ws + "/alias.txt"))
    }

    @Test func appendCreatesAndAppends() throws {
        let w = try workspace()
        try w.append("brand_new_file.txt", contents: "first")
        #expect(box.contents("brand_new_file.txt") == "first")
        box.write("log.txt", "initial")
        try w.append("log.txt", contents: " appended")
        #expect(box.contents("log.txt") == "initial appended")
    }

    @Test func editReplacesExactlyOnce() throws {
        let w = try workspace()
        box.write("f.txt", "Hello World")
        try w.edit("f.txt", oldText: "World", newText: "Go")
        #expect(box.contents("f.txt") == "Hello Go")
        box.write("g.txt", "hello world")
        try w.edit("g.txt", oldText: "world", newText: "universe")
        #expect(box.contents("g.txt") == "hello universe")
        box.write("t.txt", "test text test")
        #expect(throws: WorkspaceError.editMultipleMatches("t.txt", count: 2)) {
            try w.edit("t.txt", oldText: "test", newText: "x")
        }
        #expect(throws: WorkspaceError.editNoMatch("t.txt")) { try w.edit("t.txt", oldText: "absent", newText: "x") }
        #expect(throws: WorkspaceError.notFound("missing.txt")) {
            try w.edit("missing.txt", oldText: "a", newText: "b")
        }
        #expect(throws: WorkspaceError.outsideWorkspace(box.canary)) {
            try w.edit(box.canary, oldText: "CANARY", newText: "x")
        }
        #expect(box.contents(box.canary) == box.canaryText)
    }

    @Test func listAndStat() throws {
        box.write("file1.txt", "1")
        box.write("file2.txt", "22")
        box.mkdirs("subdir")
        let w = try workspace()
        let entries = try w.list()
        #expect(entries.map(\.name) == ["file1.txt", "file2.txt", "subdir"])
        #expect(entries.map(\.kind) == [.file, .file, .directory])
        #expect(throws: WorkspaceError.notFound("nope")) { try w.list("nope") }
        let s = try w.stat("file2.txt")
        #expect(s.size == 2 && s.kind == .file && s.path == w.root + "/file2.txt")
    }

    @Test func unrestrictedResolvesRelativeToWorkspaceNotCwd() throws {
        box.write("here.txt", "ws")
        let w = try workspace(restrict: false)
        #expect(try w.read("here.txt").text == "ws")
        #expect(try w.read(box.canary).text == box.canaryText)
        #expect(try w.resolve("x/y.txt", forWriting: true) == w.root + "/x/y.txt")
    }

    @Test func resolveForWritingHasNoSideEffects() throws {
        let w = try workspace()
        #expect(try w.resolve("new/dir/file.txt", forWriting: true) == w.root + "/new/dir/file.txt")
        #expect(!box.exists("new"))
        #expect(throws: WorkspaceError.outsideWorkspace("../x")) { try w.resolve("../x", forWriting: true) }
    }

    @Test func missingWorkspaceIsAnError() {
        #expect(throws: WorkspaceError.workspaceNotDefined("")) { try Workspace(root: "") }
        #expect(throws: WorkspaceError.self) { try Workspace(root: box.base + "/does-not-exist") }
    }

    @Test func fifoIsNotOpened() throws {
        mkfifo(box.ws + "/pipe", 0o600)
        #expect(throws: WorkspaceError.notRegularFile("pipe")) { try workspace().read("pipe") }
    }
}
