import Glibc
import PicoFakes
import Testing

/// The deployment artifacts under `Docs/deploy`, and a way to run the gateway under the constraints the
/// systemd unit and the container impose, as far as they can be reproduced without systemd or Docker:
/// a private mount namespace with a read-only `/` except the state directory (ProtectSystem=strict +
/// ReadWritePaths / read_only: true + a volume), a private tmpfs on `/tmp` (PrivateTmp / tmpfs), an unprivileged
/// uid with no capabilities and no_new_privs (User=, CapabilityBoundingSet=, NoNewPrivileges / cap_drop: ALL,
/// no-new-privileges).
enum BinaryDeploy {
    /// The repository root (from this file's path).
    static let repositoryRoot: String = {
        var path = #filePath
        for _ in 0..<4 { path = PicoclawBinary.parent(path) }  // Support → PicoBinaryTests → Tests → root
        return path
    }()

    /// The text of `Docs/deploy/<name>` (or `Docs/<name>` for `..`-relative names).
    static func artifact(_ relative: String) -> String? {
        TempDir.readFile(repositoryRoot + "/Docs/" + relative)
    }

    /// Tools needed to reproduce the constraints, with the reason when one is missing (cheap checks only; the
    /// subprocess probe is ``mountNamespacesUnavailable()``).
    static let constraintToolsMissing: String? = {
        if geteuid() != 0 { return "reproducing the sandbox needs root (mount namespaces)" }
        for tool in ["unshare", "setpriv", "nsenter", "mount"] where Subprocess.which(tool) == nil {
            return "\(tool) (util-linux) is not installed"
        }
        return nil
    }()

    /// Why this machine cannot create a mount namespace with a tmpfs in it (containers may forbid it), or `nil`
    /// when it can. Probed once, asynchronously (a subprocess), after ``constraintToolsMissing`` passed.
    static func mountNamespacesUnavailable() async -> String? { await mountNamespaceProbe.value }

    private static let mountNamespaceProbe = Task<String?, Never> {
        if let missing = constraintToolsMissing { return missing }
        let probe = await Subprocess.run(
            [
                Subprocess.which("unshare")!, "--mount", "--propagation", "private", "--",
                "/bin/sh", "-c", "mount -t tmpfs tmpfs /mnt",
            ], environment: [:], timeout: 10)
        if probe.status != 0 { return "mount namespaces are not permitted here: \(probe.stderr)" }
        return nil
    }

    /// `key → [values]` of the `[Service]` section of a unit file (repeated keys keep every value).
    static func serviceDirectives(_ unit: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        var inService = false
        for raw in unit.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmed(of: " \t")
            if line.hasPrefix("#") || line.hasPrefix(";") || line.isEmpty { continue }
            if line.hasPrefix("[") { inService = line == "[Service]"; continue }
            guard inService, let eq = line.firstIndex(of: "=") else { continue }
            out[String(line[..<eq]), default: []].append(String(line[line.index(after: eq)...]))
        }
        return out
    }
}

extension StringProtocol {
    func trimmed(of set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
