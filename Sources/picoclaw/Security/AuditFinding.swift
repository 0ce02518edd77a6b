/// How bad an audit finding is. The audit's exit status is 2 when any finding is critical, 1 when any is a
/// warning, 0 otherwise.
enum AuditSeverity: String, Sendable, Comparable, CaseIterable {
    case info, warn, critical

    static func < (lhs: AuditSeverity, rhs: AuditSeverity) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .info: 0
        case .warn: 1
        case .critical: 2
        }
    }

    /// `CRITICAL`, `WARN`, `INFO` (text output).
    var label: String { rawValue.uppercased() }
}

/// A safe, local change `--fix` may make: removing permission bits (never adding any, never chown, never
/// editing file contents).
struct AuditFix: Sendable, Equatable {
    /// The path to change (its symlinks are not followed when `recursive`).
    let path: String
    /// The permission bits to keep (`0o700` = remove every group/other bit).
    let keep: UInt32
    /// The mode found (for the report and the command text).
    let currentMode: UInt32
    /// Also tighten every directory and file below `path` (symlinks are never followed).
    let recursive: Bool

    init(path: String, keep: UInt32, currentMode: UInt32, recursive: Bool = false) {
        self.path = path
        self.keep = keep
        self.currentMode = currentMode
        self.recursive = recursive
    }

    /// The mode `path` gets.
    var targetMode: UInt32 { currentMode & keep }

    /// The equivalent shell command, e.g. `chmod 600 /p` or `chmod -R go-rwx /p`.
    var command: String {
        recursive ? "chmod -R \(symbolicRemoval(keep)) \(shellQuoted(path))"
                  : "chmod \(shortOctal(targetMode)) \(shellQuoted(path))"
    }
}

/// `go-rwx`-style text for the bits `keep` removes (`0o740` → `g-wx,o-rwx`).
func symbolicRemoval(_ keep: UInt32) -> String {
    var parts: [String] = []
    var sameAsPrevious: [(String, String)] = []
    for (who, shift) in [("u", 6), ("g", 3), ("o", 0)] as [(String, UInt32)] {
        let removed = ~(keep >> shift) & 0o7
        var perms = ""
        if removed & 4 != 0 { perms += "r" }
        if removed & 2 != 0 { perms += "w" }
        if removed & 1 != 0 { perms += "x" }
        if !perms.isEmpty { sameAsPrevious.append((who, perms)) }
    }
    // Merge classes that lose the same bits: g-rwx,o-rwx → go-rwx.
    var index = 0
    while index < sameAsPrevious.count {
        var who = sameAsPrevious[index].0
        let perms = sameAsPrevious[index].1
        var next = index + 1
        while next < sameAsPrevious.count && sameAsPrevious[next].1 == perms {
            who += sameAsPrevious[next].0
            next += 1
        }
        parts.append("\(who)-\(perms)")
        index = next
    }
    return parts.joined(separator: ",")
}

/// `600`-style text (four digits only when special bits are set).
func shortOctal(_ mode: UInt32) -> String {
    let s = String(mode & 0o7777, radix: 8)
    return String(repeating: "0", count: max(0, 3 - s.count)) + s
}

/// One result of `picoclaw security audit`.
struct AuditFinding: Sendable, Equatable {
    /// Stable dotted identifier, e.g. `config.file.world_readable` (never contains user data).
    let id: String
    let severity: AuditSeverity
    /// One line: what is wrong.
    let title: String
    /// What was found, with paths and values (never secret values).
    let detail: String
    /// The exact remedy (a command or a config change).
    let fix: String
    /// What `--fix` would do, when the remedy is a safe permission change.
    let autoFix: AuditFix?

    init(id: String, severity: AuditSeverity, title: String, detail: String, fix: String, autoFix: AuditFix? = nil) {
        self.id = id
        self.severity = severity
        self.title = title
        self.detail = detail
        self.fix = fix
        self.autoFix = autoFix
    }

    var fixable: Bool { autoFix != nil }
}

/// `0644`-style text of the permission bits.
func octal(_ mode: UInt32) -> String {
    let s = String(mode & 0o7777, radix: 8)
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
}

/// Quotes a path for a copy-pasteable shell command when it needs quoting.
func shellQuoted(_ s: String) -> String {
    let safe = s.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "/._-+:@%=,".unicodeScalars.contains($0)
    }
    if safe && !s.isEmpty { return s }
    return "'" + s.replacing("'", with: "'\\''") + "'"
}
