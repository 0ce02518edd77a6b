import PicoConfig
import PicoPolicy

/// One run of `picoclaw security audit`: gathers the context, probes the exec sandbox as the configuration sets
/// it up, runs every check and (with `fix`) applies the safe permission fixes, then audits again.
public enum SecurityAudit {
    /// What the audit found, ready to print.
    public struct Result: Sendable {
        /// The findings (and, after `fix`, what was changed or could not be).
        public let report: AuditReport
        /// The exec sandbox layers the policy self-test saw, one line each.
        public let sandboxLayers: [String]
        /// 2 with any critical finding, 1 with any warning, else 0.
        public var exitStatus: Int32 { AuditRunner.exitStatus(report.findings) }
    }

    /// Audits the configuration at `explicitConfigPath` (else the usual locations) under `environment`.
    public static func run(explicitConfigPath: String?, environment: [String: String], fix: Bool) async -> Result {
        var ctx = AuditContext.gather(
            explicitConfigPath: explicitConfigPath, environment: environment,
            sandbox: .unavailable(reason: "not probed yet"))
        // The sandbox as the configuration sets it up (mode, network, limits), once the configuration is known.
        let selfTest = await SandboxedExecutor.selfTest(config: ctx.config?.tools.exec ?? ExecToolConfig())
        ctx.sandbox = AuditSandboxProbe.state(of: selfTest)
        await ctx.resolvePolicy(selfTest)
        var findings = AuditRunner.findings(ctx)
        var changes: [AuditFixer.Change] = []
        var failures: [AuditFixer.Failure] = []
        if fix {
            (changes, failures) = AuditFixer.apply(findings)
            ctx = AuditContext.gather(
                explicitConfigPath: explicitConfigPath, environment: environment,
                sandbox: ctx.sandbox)
            await ctx.resolvePolicy(selfTest)
            findings = AuditRunner.findings(ctx)
        }
        let report = AuditReport(
            configPath: ctx.configPath, picoclawHome: ctx.picoclawHome, findings: findings,
            changes: changes, failures: failures)
        return Result(report: report, sandboxLayers: selfTest.layers)
    }
}
