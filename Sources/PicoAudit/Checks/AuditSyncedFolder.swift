#if canImport(Glibc)
import Glibc
#endif

/// Detects paths inside folders that a sync client copies to other machines or the cloud.
enum AuditSyncedFolder {
    /// Path components (compared case-insensitively) used by common sync clients.
    static let componentNames: [String] = [
        "dropbox", "google drive", "googledrive", "my drive", "onedrive", "icloud drive", "icloud", "mobile documents",
        "nextcloud", "owncloud", "syncthing", "pcloud", "pcloud drive", "box sync", "megasync", "seafile",
        "resilio sync", "yandex.disk",
    ]

    /// Marker files or directories a sync client keeps at the root of a synced folder.
    static let markers: [String] = [
        ".stfolder", ".dropbox", ".dropbox.cache", ".sync", ".nextcloudsync.log", ".owncloudsync.log",
    ]

    /// The reason `path` looks synced (the component or marker found), or `nil`.
    static func reason(for path: String) -> String? {
        var candidates = [path]
        if let real = AuditPath.resolved(path), real != path { candidates.append(real) }
        for candidate in candidates {
            for component in candidate.split(separator: "/") {
                let lower = component.lowercased()
                if componentNames.contains(lower) || lower.hasPrefix("onedrive - ") || lower.hasPrefix("dropbox (") {
                    return "its path contains the synced folder \"\(component)\""
                }
            }
        }
        // Markers: check the path and its ancestors, but never the root or /home.
        let start = candidates.last!
        for dir in AuditPath.selfAndAncestors(start) where dir != "/" && dir != "/home" {
            for marker in markers {
                var st = stat()
                if lstat(dir + "/" + marker, &st) == 0 {
                    return "\(dir) contains \(marker), the marker of a synced folder"
                }
            }
        }
        return nil
    }
}
