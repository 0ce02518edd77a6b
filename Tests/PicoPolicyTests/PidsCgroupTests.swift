import Glibc
@testable import PicoPolicy
import Testing

/// The pids cgroup's discovery: mountinfo lines (v1, v2, escaped mount points, bind-mounted roots) and the layer line.
@Suite struct PidsCgroupTests {
    @Test func parsesV1PidsMount() throws {
        let m = try #require(CgroupMount("39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids"))
        #expect(m.type == "cgroup" && m.options.contains("pids"))
        #expect(m.directory(for: "/") == "/sys/fs/cgroup/pids")
        #expect(m.directory(for: "/system.slice/x.service") == "/sys/fs/cgroup/pids/system.slice/x.service")
    }

    @Test func parsesV2MountWithEscapedPathAndOptionalFields() throws {
        let line =
            "41 31 0:38 / /sys/fs/cgroup/my\\040dir rw,relatime shared:9 master:2 - cgroup2 cgroup2 rw,nsdelegate"
        let m = try #require(CgroupMount(Substring(line)))
        #expect(m.type == "cgroup2" && m.mountPoint == "/sys/fs/cgroup/my dir")
    }

    @Test func mapsAPathBelowABindMountedRoot() throws {
        // A container sees its own cgroup as the mount's root: /proc/self/cgroup names the host path.
        let m = try #require(CgroupMount("50 40 0:30 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw"))
        #expect(m.directory(for: "/docker/abc") == "/sys/fs/cgroup")
        #expect(m.directory(for: "/docker/abc/sub") == "/sys/fs/cgroup/sub")
    }

    @Test func ignoresOtherFileSystems() {
        #expect(CgroupMount("23 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw") == nil)
        #expect(CgroupMount("garbage") == nil)
    }

    @Test func layerReportSaysWhetherRootsProcessLimitIsEnforced() async throws {
        await SandboxedExecutor.prepare()
        let dir = "/tmp/picoclaw-pids-\(getpid())"
        mkdir(dir, 0o700)
        defer { rmdir(dir) }
        let e = try SandboxedExecutor(workspace: dir, limits: ExecLimits(processes: 77))
        let line = try #require(e.layerReport.first { $0.hasPrefix("pids cgroup: ") })
        if geteuid() != 0 {
            #expect(line.hasPrefix("pids cgroup: not used — not running as root"))
        } else if let problem = SandboxedExecutor.processCgroupProblem {
            #expect(line == "pids cgroup: unavailable — \(problem); as root the process limit is not enforced")
        } else {
            #expect(line == "pids cgroup: active (pids.max=77)")
        }
    }
}
