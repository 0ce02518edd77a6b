import Glibc
import PicoFakes
import Testing

@testable import PicoAgent

@Suite("MemoryFileCache")
struct MemoryFileCacheTests {
    func isCached(_ lookup: MemoryFileCache.Lookup, _ text: String) -> Bool {
        if case .cached(let t) = lookup { return t == text }
        return false
    }

    func needsRead(_ lookup: MemoryFileCache.Lookup) -> Bool {
        if case .read = lookup { return true }
        return false
    }

    @Test func anUnchangedFileIsServedFromTheCacheAndAReplacedOneIsReadAgain() throws {
        let dir = TempDir(); defer { dir.remove() }
        let cache = MemoryFileCache(settleSeconds: 0)
        let file = dir.write("MEMORY.md", "- a\n")
        guard case .read(let id) = cache.lookup(file) else { Issue.record("first look-up must read"); return }
        cache.store("- a", identity: id, for: file)
        #expect(isCached(cache.lookup(file), "- a"))
        // A write by rename (as the memory tool does) is a new inode.
        _ = dir.write("MEMORY.md.tmp", "- b\n")
        #expect(rename(dir.at("MEMORY.md.tmp"), file) == 0)
        #expect(needsRead(cache.lookup(file)))
        #expect(unlink(file) == 0)
        if case .missing = cache.lookup(file) {} else { Issue.record("a deleted file is missing") }
    }

    @Test func aFileChangedJustBeforeTheReadIsNotCached() throws {
        let dir = TempDir(); defer { dir.remove() }
        let cache = MemoryFileCache()  // 2 s settle
        let file = dir.write("MEMORY.md", "- a\n")
        guard case .read(let id) = cache.lookup(file) else { Issue.record("first look-up must read"); return }
        cache.store("- a", identity: id, for: file)
        #expect(needsRead(cache.lookup(file)))
    }

    @Test func anIdentityThatChangedDuringTheReadIsNotCached() throws {
        let dir = TempDir(); defer { dir.remove() }
        let cache = MemoryFileCache(settleSeconds: 0)
        let file = dir.write("MEMORY.md", "- a\n")
        guard case .read(let id) = cache.lookup(file) else { Issue.record("first look-up must read"); return }
        _ = dir.write("MEMORY.md.tmp", "- b\n")
        #expect(rename(dir.at("MEMORY.md.tmp"), file) == 0)
        cache.store("- a", identity: id, for: file)
        #expect(needsRead(cache.lookup(file)))
    }
}
