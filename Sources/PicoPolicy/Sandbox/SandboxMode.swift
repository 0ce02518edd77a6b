/// Whether the executor confines the child with Landlock.
public enum LandlockMode: String, Sendable, Equatable {
    /// Refuse to run when Landlock cannot be applied.
    case required
    /// Apply Landlock where the kernel has it; otherwise run with the structural policy alone (with a warning).
    case preferred
    /// Never apply Landlock.
    case off
}

/// Which kernel sandbox `tools.exec.sandbox` asks for.
public enum SandboxMode: String, Sendable, Equatable, CaseIterable {
    /// The strongest available: namespaces when bubblewrap and user namespaces work, else the Landlock fallback;
    /// exec is refused when not even Landlock is there.
    case auto
    /// bubblewrap namespaces are required; exec is refused without them.
    case namespaces
    /// The fallback without namespaces: capabilities dropped, subreaper cleanup, Landlock, seccomp, limits.
    case landlock
}
