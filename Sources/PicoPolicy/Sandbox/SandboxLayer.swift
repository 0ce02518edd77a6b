/// The protection layer a command actually ran under.
public enum SandboxLayer: Sendable, Equatable, CustomStringConvertible {
    /// bubblewrap namespaces (user, mount, PID, IPC, UTS, network unless allowed) with Landlock inside (nil when
    /// Landlock is unavailable), seccomp and limits.
    case namespaces(landlockABI: Int?)
    /// Landlock enforced in the child with this ABI version. With `SandboxMode.landlock`/the fallback also
    /// seccomp, limits, no capabilities and subreaper cleanup.
    case landlock(abi: Int)
    /// No kernel layer: only the command policy stood in the way.
    case structuralOnly

    public var description: String {
        switch self {
        case .namespaces(let abi?): return "namespaces+landlock(abi \(abi))"
        case .namespaces(nil): return "namespaces (no landlock)"
        case .landlock(let abi): return "landlock(abi \(abi))"
        case .structuralOnly: return "structural-only"
        }
    }
}
