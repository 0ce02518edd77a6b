/// Resource limits of one command (`tools.exec.limits.*`). Core dumps are always off.
public struct ExecLimits: Sendable, Equatable {
    /// RLIMIT_NPROC: processes of the user; as root (exempt from it) `pids.max` of a per-command pids cgroup,
    /// where a writable pids controller exists.
    public var processes: Int
    /// RLIMIT_AS in MiB.
    public var memoryMB: Int
    /// RLIMIT_FSIZE in MiB.
    public var fileSizeMB: Int
    /// RLIMIT_NOFILE.
    public var openFiles: Int
    /// RLIMIT_CPU in seconds.
    public var cpuSeconds: Int
    /// Size of the private /tmp (namespaces mode) in MiB.
    public var tmpSizeMB: Int

    public init(
        processes: Int = 128, memoryMB: Int = 1024, fileSizeMB: Int = 256, openFiles: Int = 1024,
        cpuSeconds: Int = 60, tmpSizeMB: Int = 64
    ) {
        self.processes = processes
        self.memoryMB = memoryMB
        self.fileSizeMB = fileSizeMB
        self.openFiles = openFiles
        self.cpuSeconds = cpuSeconds
        self.tmpSizeMB = tmpSizeMB
    }

    /// The defaults: stop a fork, memory, disk or descriptor flood while leaving room for builds and scripts.
    public static let defaults = ExecLimits()

    /// One line for logs and reports.
    public var summary: String {
        "processes \(processes), memory \(memoryMB) MiB, file size \(fileSizeMB) MiB, open files \(openFiles), "
            + "cpu \(cpuSeconds) s, /tmp \(tmpSizeMB) MiB, core dumps off"
    }
}
