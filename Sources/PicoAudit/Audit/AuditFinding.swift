/// How bad an audit finding is. The audit's exit status is 2 when any finding is critical, 1 when any is a
/// warning, 0 otherwise.
public enum AuditSeverity: String, Sendable, Comparable, CaseIterable {
    case info, warn, critical

    public static func < (lhs: AuditSeverity, rhs: AuditSeverity) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .info: 0
        case .warn: 1
        case .critical: 2
        }
    }

    /// `CRITICAL`, `WARN`, `INFO` (text output).
    public var label: String { rawValue.uppercased() }
}

/// A safe, local change `--fix` may make: removing permission bits (never adding any, never chown, never
/// editing file contents).
public struct AuditFix: Sendable, Equatable {
    /// The path to change (its symlinks are not followed when `recursive`).
    public let path: String
    /// The permission bits to keep (`0o700` = remove every group/other bit).
    public let keep: UInt32
    /// The mode found (for the report and the command text).
    public let currentMode: UInt32
    /// Also tighten every directory and file below `path` (symlinks are never followed).
    public let recursive: Bool

    init(path: String, keep: UInt32, currentMode: UInt32, recursive: Bool = false) {
        self.path = path
        self.keep = keep
        self.currentMode = currentMode
        self.recursive = recursive
    }

    /// The mode `path` gets.
    public var targetMode: UInt32 { currentMode & keep }

    /// The equivalent shell command, e.g. `chmod 600 /p` or `chmod -R go-rwx /p`.
    public var command: String {
        recursive
            ? "chmod -R \(symbolicRemoval(keep)) \(shellQuoted(path))"
            : "chmod \(shortOctal(targetMode)) \(shellQuoted(path))"
    }
}

/// One result of `picoclaw security audit`.
public struct AuditFinding: Sendable, Equatable {
    /// Stable dotted identifier, e.g. `config.file.world_readable` (never contains user data).
    public let id: String
    public let severity: AuditSeverity
    /// One line: what is wrong.
    public let title: String
    /// What was found, with paths and values (never secret values).
    public let detail: String
    /// The exact remedy (a command or a config change).
    public let fix: String
    /// What `--fix` would do, when the remedy is a safe permission change.
    public let autoFix: AuditFix?

    init(id: String, severity: AuditSeverity, title: String, detail: String, fix: String, autoFix: AuditFix? = nil) {
        self.id = id
        self.severity = severity
        self.title = title
        self.detail = detail
        self.fix = fix
        self.autoFix = autoFix
    }

    /// `true` when `--fix` can apply the remedy.
    public var fixable: Bool { autoFix != nil }
}
