import Glibc
import Logging
import PicoConfig

/// The lines the gateway logs once at start, before anything else: which config file (and secrets file) it
/// uses and why, the loader's notices, and a warning with the fix when it runs as root.
enum StartupNotes {
    /// The root warning (uid 0), with what to do instead.
    static let rootWarning =
        "SECURITY: the gateway runs as root (uid 0). Run it as a dedicated unprivileged user instead: `useradd -r -s /usr/sbin/nologin -d /var/lib/picoclaw picoclaw` and `User=picoclaw` in the systemd unit (Docs/deploy.md), or `--user` for a container"

    static func log(_ loaded: LoadedConfig, logger: Logger, effectiveUID: uid_t = geteuid()) {
        logger.info("\(loaded.sourceDescription)")
        for notice in loaded.notices { logger.notice("\(notice)") }
        if effectiveUID == 0 { logger.warning("\(rootWarning)") }
    }
}
