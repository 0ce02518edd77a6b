import PicoConfig

/// Renders an audit as text (one line per finding, then a summary) or as JSON.
public struct AuditReport: Sendable {
    /// The config file audited.
    public let configPath: String
    /// `$PICOCLAW_HOME`.
    public let picoclawHome: String
    /// Critical first, then warnings, then info.
    public let findings: [AuditFinding]
    /// What `--fix` changed.
    public let changes: [AuditFixer.Change]
    /// What `--fix` could not change.
    public let failures: [AuditFixer.Failure]

    /// How many findings have `severity`.
    public func count(_ severity: AuditSeverity) -> Int { findings.filter { $0.severity == severity }.count }

    /// `CRITICAL config.file.world_readable  /p is readable by others (mode 0644) → fix: chmod 600 /p`.
    public func text(verbose: Bool) -> String {
        var lines: [String] = []
        for change in changes {
            lines.append(
                "FIXED    \(change.ids.joined(separator: ","))  \(change.path): mode \(octal(change.from)) → \(octal(change.to)) (\(change.command))"
            )
        }
        for failure in failures {
            lines.append("NOTFIXED \(failure.ids.joined(separator: ","))  \(failure.command) failed: \(failure.error)")
        }
        for f in findings {
            let label = f.severity.label.padding(toLength: 8)
            lines.append("\(label) \(f.id)  \(f.title) → fix: \(f.fix)")
            if verbose {
                for detailLine in f.detail.split(separator: "\n") { lines.append("         \(detailLine)") }
            }
        }
        let c = count(.critical), w = count(.warn), i = count(.info)
        var summary =
            "\(c) critical, \(w) warning\(w == 1 ? "" : "s"), \(i) info — config \(configPath), home \(picoclawHome)"
        if findings.isEmpty { summary = "no findings — config \(configPath), home \(picoclawHome)" }
        let fixable = findings.filter(\.fixable).count
        if fixable > 0 { summary += "; \(fixable) fixable with --fix" }
        lines.append("security audit: \(summary)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `{"summary":{...},"findings":[...],"fixed":[...],"fix_failed":[...],"config_path":...,"picoclaw_home":...}`
    /// (keys sorted, pretty-printed).
    public var json: String {
        let report: JSONValue = .object([
            "summary": .object([
                "critical": .int(count(.critical)), "warn": .int(count(.warn)), "info": .int(count(.info)),
            ]),
            "findings": .array(
                findings.map { f in
                    .object([
                        "id": .string(f.id), "severity": .string(f.severity.rawValue), "title": .string(f.title),
                        "detail": .string(f.detail), "fix": .string(f.fix), "fixable": .bool(f.fixable),
                    ])
                }),
            "fixed": .array(
                changes.map { c in
                    .object([
                        "ids": .strings(c.ids), "path": .string(c.path), "from": .string(octal(c.from)),
                        "to": .string(octal(c.to)), "command": .string(c.command),
                    ])
                }),
            "fix_failed": .array(
                failures.map { f in
                    .object([
                        "ids": .strings(f.ids), "path": .string(f.path), "command": .string(f.command),
                        "error": .string(f.error),
                    ])
                }),
            "config_path": .string(configPath),
            "picoclaw_home": .string(picoclawHome),
        ])
        return report.serialized() + "\n"
    }
}

extension String {
    /// Pads with spaces on the right to `length` characters.
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
