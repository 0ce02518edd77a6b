import PicoPolicy

/// Runs PicoPolicy's live sandbox self-test (a confined child tries to read and write outside a temporary
/// workspace) and maps the result for the audit.
enum AuditSandboxProbe {
    static func run() async -> AuditSandboxState {
        let result = await SandboxedExecutor.selfTest()
        let details = result.details.joined(separator: "; ")
        switch result.layer {
        case .namespaces, .landlock:
            let layers = result.layers.joined(separator: "; ")
            return result.enforced ? .enforcing(detail: "\(result.layer): \(details); \(layers)")
                : .notEnforcing(reason: "\(result.layer): \(details); \(layers)")
        case .structuralOnly:
            return .unavailable(reason: details)
        }
    }
}
