import Glibc
import Logging
import PicoSystem
import Synchronization

/// Keeps agent workspaces present while the gateway runs: a workspace deleted (or replaced) behind the gateway's
/// back is recreated with mode 0700 before the next turn; one that cannot be recreated is reported once (and
/// again only after it recovered and failed anew), never once per turn.
final class WorkspaceGuard: Sendable {
    private let logger: Logger
    private let reported = Mutex(Set<String>())

    init(logger: Logger) { self.logger = logger }

    /// Makes sure `workspace` is a directory; returns `false` when it is missing and cannot be created.
    @discardableResult
    func ensure(_ workspace: String, agentID: String) -> Bool {
        var st = stat()
        if stat(workspace, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            reported.withLock { _ = $0.remove(workspace) }
            return true
        }
        let code = Directories.create(workspace, mode: 0o700)
        if code == 0 {
            logger.warning("workspace \(workspace) of agent \(agentID) was missing; recreated it (mode 0700)")
            reported.withLock { _ = $0.remove(workspace) }
            return true
        }
        let reason = errnoText(code)
        if reported.withLock({ $0.insert(workspace).inserted }) {
            logger.error(
                "workspace \(workspace) of agent \(agentID) is missing and cannot be recreated: \(reason). Turns still run; file and exec tools fail until it exists"
            )
        }
        return false
    }
}
