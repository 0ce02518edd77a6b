import Glibc
@testable import PicoGateway
import PicoFakes
import Testing

/// The `media/` directory: new files 0600 in a 0700 directory, never through a symlink, expired after
/// `max_age_days`.
@Suite("media store")
struct MediaStoreTests {
    @Test func storesPrivatelyAndRemovesExpiredFiles() throws {
        let dir = TempDir("picoclaw-media")
        let workspace = dir.mkdir("ws")
        let store = MediaStore(maxAgeDays: 7)
        let first = try store.store([1, 2, 3], name: "telegram-5-0.png", workspace: workspace)
        #expect(first == "media/telegram-5-0.png")
        let again = try store.store([4], name: "telegram-5-0.png", workspace: workspace)
        #expect(again != first, "an existing file is never overwritten")
        var st = stat()
        #expect(stat(workspace + "/" + first, &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(stat(workspace + "/media", &st) == 0 && st.st_mode & 0o777 == 0o700)
        // Eight days old: removed by the next store (or sweep); a fresh file stays.
        var old = [
            timespec(tv_sec: time(nil) - 8 * 86_400, tv_nsec: 0), timespec(tv_sec: time(nil) - 8 * 86_400, tv_nsec: 0),
        ]
        #expect(utimensat(AT_FDCWD, workspace + "/" + first, &old, 0) == 0)
        store.sweep(workspace: workspace)
        #expect(access(workspace + "/" + first, F_OK) != 0)
        #expect(access(workspace + "/" + again, F_OK) == 0)
        #expect(MediaStore.safeName("../../etc/passwd") == "_.._etc_passwd")
    }

    @Test func refusesASymlinkedMediaDirectory() throws {
        let dir = TempDir("picoclaw-media")
        let workspace = dir.mkdir("ws")
        let outside = dir.mkdir("outside")
        #expect(symlink(outside, workspace + "/media") == 0)
        #expect(throws: MediaStoreError.self) {
            try MediaStore(maxAgeDays: 7).store([1], name: "x.png", workspace: workspace)
        }
        #expect(
            opendir(outside).map { d -> Int in
                defer { closedir(d) }
                var n = 0
                while let e = readdir(d) { if e.pointee.d_name.0 != 46 { n += 1 } }
                return n
            } == 0, "nothing written through the symlink")
    }
}
