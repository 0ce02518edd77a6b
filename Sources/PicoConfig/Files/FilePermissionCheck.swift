/// The permission rule for files that hold secrets (the config file, the secrets env file).
///
/// Refused (exit 78) when the file is readable or writable by group/others (`mode & 0o077 != 0`) or is owned
/// by a user other than the current one and root. `PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS=1` turns the
/// refusal into a warning (for read-only mounts that cannot be chmod-ed).
enum FilePermissionCheck {
    /// Checks `path`; returns a warning when the override is active, throws otherwise.
    static func check(
        path: String, what: String, secretKeys: [String], allowInsecure: Bool,
        currentUID: UInt32 = POSIXFile.currentUID
    ) throws(ConfigError) -> String? {
        guard case .success(let st) = POSIXFile.status(path) else { return nil }
        var problem: String?
        var fix = "chmod 600 \(path)"
        if st.mode & 0o077 != 0 {
            let readable = st.mode & 0o044 != 0, writable = st.mode & 0o022 != 0
            let access =
                readable && writable
                ? "readable and writable" : readable ? "readable" : writable ? "writable" : "accessible"
            problem = "is \(access) by group/others (mode \(octal(st.mode)))"
        } else if st.owner != currentUID && st.owner != 0 {
            problem = "is owned by uid \(st.owner), not by the current user (uid \(currentUID)) or root"
            fix = "chown \(currentUID) \(path)"
        }
        guard let problem else { return nil }
        let keys =
            secretKeys.isEmpty
            ? "" : " (\(secretKeys.prefix(3).joined(separator: ", "))\(secretKeys.count > 3 ? ", ..." : ""))"
        if allowInsecure {
            return
                "\(path): \(what) holds secrets\(keys) and \(problem); continuing because PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS is set"
        }
        throw ConfigError(
            kind: .insecurePermissions,
            message: "refusing to start: \(path) holds secrets\(keys) and \(problem). Fix: \(fix)")
    }

    /// `0644`-style text.
    static func octal(_ mode: UInt32) -> String {
        let s = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}
