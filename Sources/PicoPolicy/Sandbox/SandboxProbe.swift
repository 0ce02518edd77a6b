import CPicoPolicy
import Glibc

/// What this machine offers the exec sandbox, probed once per process. Every probe that could be killed by a
/// service manager's seccomp filter (the landlock_* calls, user namespaces) runs in a child process.
struct SandboxProbe: Sendable {
    /// The Landlock ABI, nil when unavailable.
    let landlockABI: Int?
    /// Why Landlock is unavailable (nil when available).
    let landlockProblem: String?
    /// bubblewrap's path, when installed.
    let bwrapPath: String?
    /// The picoclaw-sandbox step's path, when found next to the running executable.
    let stepPath: String?
    /// Why the namespaces layer is unavailable (nil when a trial sandbox started).
    let namespaceProblem: String?
    /// Whether the sandbox gets a fresh /proc (false when the kernel refused it but the rest worked).
    var mountProc = true

    /// The probe of this process (runs on first use).
    static let current = SandboxProbe.run()

    static let landlockFix =
        "allow the three calls: SystemCallFilter=@sandbox in the systemd unit (systemd "
        + "versions whose @sandbox group lists them), or SystemCallFilter=landlock_create_ruleset landlock_add_rule "
        + "landlock_restrict_self, or the equivalent in the container's seccomp profile"

    static func run() -> SandboxProbe {
        let raw = pico_landlock_probe()
        var abi: Int?
        var landlockProblem: String?
        if raw > 0 {
            abi = Int(raw)
        } else if raw <= -1000 {
            let sig = -raw - 1000
            landlockProblem =
                sig == SIGSYS
                ? "a seccomp filter on this process kills the landlock_* system calls (the probe child died with "
                    + "SIGSYS; systemd's @system-service before v255 lacks them): \(landlockFix)"
                : "the Landlock probe child died with signal \(sig)"
        } else if -raw == ENOSYS {
            landlockProblem = "the kernel has no Landlock (ENOSYS): use Linux 5.13+ with CONFIG_SECURITY_LANDLOCK=y"
        } else if -raw == EOPNOTSUPP {
            landlockProblem = "Landlock is built but disabled (EOPNOTSUPP): add landlock to the kernel's lsm= list"
        } else if -raw == EPERM {
            landlockProblem = "a seccomp filter refuses the landlock_* system calls (EPERM): \(landlockFix)"
        } else {
            landlockProblem = "the Landlock probe failed: \(errnoDescription(-raw))"
        }
        let bwrapCandidates: [String] = ["/usr/bin/bwrap", "/bin/bwrap", "/usr/local/bin/bwrap"]
        let bwrap = bwrapCandidates.first { access($0, X_OK) == 0 }
        let step = findStep()
        var namespaceProblem: String?
        var mountProc = true
        if bwrap == nil {
            namespaceProblem = "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
        } else if step == nil {
            namespaceProblem = "the picoclaw-sandbox helper is not installed next to \(executablePath() ?? "picoclaw")"
        } else {
            namespaceProblem = trialRun(bwrap: bwrap!, step: step!, landlockABI: abi, mountProc: true)
            if namespaceProblem != nil
                && trialRun(bwrap: bwrap!, step: step!, landlockABI: abi, mountProc: false) == nil
            {
                namespaceProblem = nil
                mountProc = false
            }
        }
        return SandboxProbe(
            landlockABI: abi, landlockProblem: landlockProblem, bwrapPath: bwrap, stepPath: step,
            namespaceProblem: namespaceProblem, mountProc: mountProc)
    }

    /// The running executable's path.
    static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = Int(pico_executable_path(&buffer, buffer.count))
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `picoclaw-sandbox` next to the executable (the picoclaw binary, or the test runner in `.build`), or in
    /// `../libexec/picoclaw/`.
    static func findStep() -> String? {
        guard let exe = executablePath(), let slash = exe.lastIndex(of: "/") else { return nil }
        let dir = String(exe[..<slash])
        let candidates: [String] = [dir + "/picoclaw-sandbox", dir + "/../libexec/picoclaw/picoclaw-sandbox"]
        return candidates.first { access($0, X_OK) == 0 }
    }

    /// Starts `true` in a throw-away namespace sandbox; nil when the step inside reported, else why not.
    static func trialRun(bwrap: String, step: String, landlockABI: Int?, mountProc: Bool) -> String? {
        var template = Array("/tmp/picoclaw-probe-XXXXXX".utf8CString)
        guard
            let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) })
        else { return "could not create a temporary directory: \(errnoDescription(errno))" }
        defer { removeTree(dir) }
        let plan = NamespacePlan(
            bwrap: bwrap, step: step, workspace: dir, network: false,
            limits: .defaults, landlockABI: landlockABI, seccomp: false, mountProc: mountProc)
        let outcome = ProcessRunner.run(
            plan.request(
                command: "true", workingDirectory: dir,
                environment: ["PATH=\(ExecEnvironment.defaultPath)"],
                timeoutMilliseconds: 10_000, maxOutputBytes: 2000,
                cancelFD: -1, seccompProgram: []))
        if outcome.stepReported && outcome.exitStatus == 0 { return nil }
        let text = String(decoding: outcome.output, as: UTF8.self).split(separator: "\n").first.map(String.init)
        if let text, !text.isEmpty {
            return "bubblewrap could not create the namespaces (\(text)); user namespaces are probably disabled "
                + "(Docker's default seccomp profile, systemd's RestrictNamespaces=, kernel.unprivileged_userns_clone=0"
                + " or user.max_user_namespaces=0)"
        }
        if outcome.failedStage == Int32(PICO_STAGE_LANDLOCK.rawValue) {
            return "Landlock could not be applied inside the namespaces: \(errnoDescription(outcome.failedErrno))"
        }
        return "the trial sandbox did not start (status \(outcome.exitStatus.map(String.init) ?? "-"), signal "
            + "\(outcome.signal.map(String.init) ?? "-"))"
    }
}
