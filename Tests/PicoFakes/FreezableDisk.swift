import Glibc

/// A small ext4 file system on a loop device that a test freezes with `fsfreeze`: every write to it then blocks in
/// the kernel until it is thawed — a stuck disk, for real. Needs root, loop devices, `mkfs.ext4` and `fsfreeze`.
/// Always ``remove()`` it (it thaws first), or writers stay blocked.
public final class FreezableDisk: Sendable {
    /// Whether this machine can make one (``unavailableReason`` is `nil`).
    public static var available: Bool { unavailableReason == nil }

    /// Why this machine cannot make one, or `nil`.
    public static var unavailableReason: String? {
        if geteuid() != 0 { return "needs root (mount, fsfreeze)" }
        if access("/dev/loop-control", F_OK) != 0 { return "needs loop devices (/dev/loop-control)" }
        for tool in ["mkfs.ext4", "fsfreeze", "mount", "umount"] where Subprocess.which(tool) == nil {
            return "needs \(tool)"
        }
        return nil
    }

    private let dir: TempDir
    /// Where the file system is mounted.
    public var mountPoint: String { dir.at("mnt") }

    private init(dir: TempDir) { self.dir = dir }

    /// Makes and mounts a 16 MiB ext4 image; throws with the tool's output when a step fails.
    public static func make() async throws -> FreezableDisk {
        let disk = FreezableDisk(dir: TempDir("picoclaw-frozen"))
        disk.dir.mkdir("mnt", mode: 0o755)
        let image = disk.dir.at("disk.img")
        try await disk.run(["truncate", "-s", "16M", image])
        try await disk.run(["mkfs.ext4", "-q", "-F", image])
        try await disk.run(["mount", "-o", "loop", image, disk.mountPoint])
        chmod(disk.mountPoint, 0o777)
        return disk
    }

    /// Freezes the file system: writes to it block from now on.
    public func freeze() async throws { try await run(["fsfreeze", "-f", mountPoint]) }

    /// Thaws it: blocked writes go on.
    public func thaw() async throws { try await run(["fsfreeze", "-u", mountPoint]) }

    /// Thaws (if frozen) and unmounts it.
    public func remove() async {
        _ = await Subprocess.run(["fsfreeze", "-u", mountPoint], environment: [:], timeout: 20)
        _ = await Subprocess.run(["umount", "-l", mountPoint], environment: [:], timeout: 20)
    }

    private func run(_ argv: [String]) async throws {
        let outcome = await Subprocess.run(argv, environment: [:], timeout: 30)
        guard outcome.status == 0 else {
            throw FreezableDiskError(
                description: "\(argv.joined(separator: " ")) failed (\(outcome.status)): \(outcome.stderr)")
        }
    }
}

/// A step of making, freezing or thawing a ``FreezableDisk`` failed.
public struct FreezableDiskError: Error, CustomStringConvertible {
    public let description: String
}
