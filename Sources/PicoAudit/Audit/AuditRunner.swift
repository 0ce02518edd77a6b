/// Runs every check and orders the findings (critical first; check order within a severity).
enum AuditRunner {
    static func findings(_ ctx: AuditContext) -> [AuditFinding] {
        var all = AuditConfigFileChecks.run(ctx)
        all += AuditStateChecks.run(ctx)
        all += AuditAccessChecks.run(ctx)
        all += AuditExecChecks.run(ctx)
        all += AuditWebChecks.run(ctx)
        all += AuditApprovalChecks.run(ctx)
        return all.enumerated()
            .sorted { a, b in
                a.element.severity != b.element.severity ? a.element.severity > b.element.severity : a.offset < b.offset
            }
            .map(\.element)
    }

    /// 2 with any critical finding, 1 with any warning, else 0.
    static func exitStatus(_ findings: [AuditFinding]) -> Int32 {
        if findings.contains(where: { $0.severity == .critical }) { return 2 }
        if findings.contains(where: { $0.severity == .warn }) { return 1 }
        return 0
    }
}
