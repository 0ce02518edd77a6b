import PicoConfig

/// `tools.exec.approval`: risky commands should wait for an owner.
enum AuditApprovalChecks {
    static func run(_ ctx: AuditContext) -> [AuditFinding] {
        guard let exec = ctx.config?.tools.exec, exec.enabled else { return [] }
        guard exec.approval == "off" else { return [] }
        return [
            AuditFinding(
                id: "tools.exec.approval_off", severity: .warn,
                title:
                    "tools.exec.approval is off while the exec tool is enabled: risky commands run without asking anyone",
                detail:
                    "Network tools, package managers, git push, bulk deletes and writes to dot-files then run as soon as the model asks for them (within the command policy and sandbox).",
                fix:
                    "set tools.exec.approval to risky (the default) or always, and make sure each channel has an owner (channels.<name>.owners)"
            )
        ]
    }
}
