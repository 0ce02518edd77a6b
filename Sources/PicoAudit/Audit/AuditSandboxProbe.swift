import PicoPolicy

/// Maps PicoPolicy's live sandbox self-test (confined children try to read and write outside a temporary
/// workspace) for the audit.
enum AuditSandboxProbe {
    /// Maps a self-test result.
    static func state(of result: SandboxSelfTest) -> AuditSandboxState {
        let details = result.details.joined(separator: "; ")
        switch result.layer {
        case .namespaces, .landlock:
            let layers = result.layers.joined(separator: "; ")
            return result.enforced
                ? .enforcing(detail: "\(result.layer): \(details); \(layers)")
                : .notEnforcing(reason: "\(result.layer): \(details); \(layers)")
        case .structuralOnly:
            return .unavailable(reason: details)
        }
    }
}
