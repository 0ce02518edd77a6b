import PicoPolicy

/// Runs PicoPolicy's live sandbox self-test (a confined child tries to read and write outside a temporary
/// workspace) and maps the result for the audit.
enum AuditSandboxProbe {
    static func run() async -> AuditSandboxState { map(await SandboxedExecutor.selfTest()) }

    /// The audit's view of a self-test result.
    static func map(_ result: SandboxSelfTest) -> AuditSandboxState {
        let details = result.details.joined(separator: "; ")
        switch result.layer {
        case .landlock(let abi):
            return result.enforced ? .enforcing(detail: "Landlock ABI \(abi): \(details)")
                : .notEnforcing(reason: "Landlock ABI \(abi): \(details)")
        case .structuralOnly:
            return .unavailable(reason: details)
        }
    }
}
