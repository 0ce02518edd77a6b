/// Renders an audit as text (one line per finding, then a summary) or as JSON.
struct AuditReport: Sendable {
    let configPath: String
    let picoclawHome: String
    let findings: [AuditFinding]
    let changes: [AuditFixer.Change]
    let failures: [AuditFixer.Failure]

    func count(_ severity: AuditSeverity) -> Int { findings.filter { $0.severity == severity }.count }

    /// `CRITICAL config.file.world_readable  /p is readable by others (mode 0644) → fix: chmod 600 /p`.
    func text(verbose: Bool) -> String {
        var lines: [String] = []
        for change in changes {
            lines.append("FIXED    \(change.ids.joined(separator: ","))  \(change.path): mode \(octal(change.from)) → \(octal(change.to)) (\(change.command))")
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
        var summary = "\(c) critical, \(w) warning\(w == 1 ? "" : "s"), \(i) info — config \(configPath), home \(picoclawHome)"
        if findings.isEmpty { summary = "no findings — config \(configPath), home \(picoclawHome)" }
        let fixable = findings.filter(\.fixable).count
        if fixable > 0 { summary += "; \(fixable) fixable with --fix" }
        lines.append("security audit: \(summary)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `{"summary":{...},"findings":[...],"fixed":[...],"fix_failed":[...],"config_path":...,"picoclaw_home":...}`.
    var json: String {
        let w = AuditJSONWriter()
        w.object {
            w.key("summary"); w.object {
                w.key("critical"); w.int(count(.critical))
                w.key("warn"); w.int(count(.warn))
                w.key("info"); w.int(count(.info))
            }
            w.key("findings"); w.array(findings) { f in
                w.object {
                    w.key("id"); w.string(f.id)
                    w.key("severity"); w.string(f.severity.rawValue)
                    w.key("title"); w.string(f.title)
                    w.key("detail"); w.string(f.detail)
                    w.key("fix"); w.string(f.fix)
                    w.key("fixable"); w.bool(f.fixable)
                }
            }
            w.key("fixed"); w.array(changes) { c in
                w.object {
                    w.key("ids"); w.array(c.ids) { w.string($0) }
                    w.key("path"); w.string(c.path)
                    w.key("from"); w.string(octal(c.from))
                    w.key("to"); w.string(octal(c.to))
                    w.key("command"); w.string(c.command)
                }
            }
            w.key("fix_failed"); w.array(failures) { f in
                w.object {
                    w.key("ids"); w.array(f.ids) { w.string($0) }
                    w.key("path"); w.string(f.path)
                    w.key("command"); w.string(f.command)
                    w.key("error"); w.string(f.error)
                }
            }
            w.key("config_path"); w.string(configPath)
            w.key("picoclaw_home"); w.string(picoclawHome)
        }
        return w.output + "\n"
    }
}

extension String {
    /// Pads with spaces on the right to `length` characters.
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
