#if canImport(Glibc)
import Glibc
#endif
import PicoConfig
import PicoGateway
import PicoPolicy

extension AuditContext {
    /// Loads the configuration the way the gateway would, except that insecure permissions never stop the
    /// audit: the loader is given `PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS=1` in its (copied) environment,
    /// so it reports instead of refusing. The user never has to set anything.
    static func gather(
        explicitConfigPath: String?, environment: [String: String],
        sandbox: AuditSandboxState
    ) -> AuditContext {
        var loaderEnvironment = environment
        loaderEnvironment["PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS"] = "1"
        let home = ProcessEnvironment.homeDirectory(environment: environment)
        var loaded: LoadedConfig?
        var loadError: ConfigError?
        var publicBindRefused = false
        do {
            loaded = try ConfigLoader.load(
                explicitPath: explicitConfigPath, environment: loaderEnvironment,
                homeDirectory: home)
        } catch {
            loadError = error
            // A non-loopback gateway.host without allow_public_bind is refused by the loader. Audit the rest of
            // the configuration anyway: load again with the opt-in, and report the refusal as its own finding.
            if error.keyPath == "gateway.host" {
                loaderEnvironment["PICOCLAW_GATEWAY_ALLOW_PUBLIC_BIND"] = "true"
                loaderEnvironment["PICOCLAW_GATEWAY_ALLOW_PUBLIC_BIND_FILE"] = nil
                if let retried = try? ConfigLoader.load(
                    explicitPath: explicitConfigPath, environment: loaderEnvironment,
                    homeDirectory: home)
                {
                    loaded = retried
                    loadError = nil
                    publicBindRefused = true
                }
            }
        }
        let location = ConfigLocator.resolvePath(
            explicit: explicitConfigPath, environment: environment,
            homeDirectory: home)
        let picoclawHome =
            loaded?.picoclawHome
            ?? ConfigLocator.picoclawHome(environment: environment, homeDirectory: home)
        let pidFile = loaded.map { $0.config.gateway.pidFile } ?? "\(picoclawHome)/picoclaw.pid"
        return AuditContext(
            configPath: loaded?.path ?? location.path, picoclawHome: picoclawHome, loaded: loaded,
            loadError: loadError, environment: environment, homeDirectory: home,
            auditUID: UInt32(geteuid()), liveGateway: LiveGateway.find(pidFile: pidFile),
            sandbox: sandbox, publicBindRefused: publicBindRefused)
    }
}

extension AuditContext {
    /// Resolves the effective policy the way `picoclaw status` does (pairings from the state store, read only
    /// when the store exists).
    mutating func resolvePolicy(_ selfTest: SandboxSelfTest) async {
        guard let config else { return }
        let gathered = await EffectivePolicy.gather(config, sandbox: selfTest)
        policy = gathered.policy
        storeProblem = gathered.storeProblem
    }
}
