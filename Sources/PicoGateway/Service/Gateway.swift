import Glibc
import Logging
import PicoAgent
import PicoChannels
import PicoConfig
import PicoHTTP
import PicoPolicy
import PicoState
import PicoSystem

/// The running service: health endpoint first (a busy port fails fast), PID file, workspaces, the kernel
/// sandbox self-test, agents, channels; then it serves until SIGTERM/SIGINT and shuts down gracefully.
public final class Gateway: Sendable {
    private let loaded: LoadedConfig
    private let options: GatewayOptions
    private let logger: Logger
    private let output: LogOutput

    /// Prepares a run. `output` is the log destination the caller bootstrapped swift-log with.
    public init(loaded: LoadedConfig, options: GatewayOptions, output: LogOutput, logger: Logger) {
        self.loaded = loaded
        self.options = options
        self.output = output
        self.logger = logger
    }

    /// Runs until a termination signal; returns the process exit status.
    public func run() async -> Int32 {
        let code: Int32
        do {
            code = try await serve()
        } catch let error as GatewayStartError {
            logger.critical("\(error.description)")
            code = error.exitCode
        } catch {
            logger.critical("gateway failed: \(error)")
            code = 1
        }
        // Lines still queued for a slow log reader get a short while to go out (a stalled one never holds the exit).
        let output = self.output
        _ = await DedicatedThread.run { output.flush(within: .seconds(2)) }
        return code
    }

    private func serve() async throws -> Int32 {
        let config = loaded.config
        let signals = SignalEvents()
        StartupNotes.log(loaded, logger: logger)

        // 1. Exposure: loopback unless explicitly opted in.
        try checkExposure(config)
        // 2. Health endpoint first, so a busy port fails before anything else starts.
        let (board, metrics, health) = try startHealthEndpoint(config)
        defer { health.stop() }
        // 3. PID file (refuses a second gateway).
        let pidPath = options.pidFile ?? config.gateway.pidFile ?? config.picoclawHome + "/picoclaw.pid"
        let pidFile = try acquirePidFile(at: pidPath)
        defer { pidFile.release() }
        logger.info(
            "health endpoint on http://\(config.gateway.host):\(health.port)/health and /ready; PID file \(pidPath)")
        // 4. Workspaces (never overlapping the gateway's own files) and the kernel sandbox.
        try await prepareWorkspacesAndSandbox(config)
        // 5. The state store (inbox, outbox, sessions, cursors).
        let store = try await openStateStore(config)
        metrics.sample("picoclaw_state_operations_total") { Double(store.operationCount) }
        metrics.sample("picoclaw_network_loop_slow_jobs_total") { Double(NetworkLoop.statistics.slow) }
        metrics.sample("picoclaw_log_lines_dropped_total") { [output] in Double(output.droppedLines) }
        metrics.sample("picoclaw_state_statements_total") { Double(store.statementCount) }

        // 6. Agents.
        let channelSlot = ChannelSlot()
        let notifier = OwnerNotifier(config: config, channel: { channelSlot.channel($0) }, logger: logger)
        let approvals = ApprovalDesk(
            store: store, notifier: notifier, metrics: metrics,
            timeout: .seconds(config.tools.exec.approvalTimeoutSeconds), logger: logger)
        let system = try AgentSystemBuilder.build(
            loaded: loaded, store: store, metrics: metrics, approver: approvals, logger: logger)
        let agentsReady = system.readiness.isReady
        board.set("agents", ok: agentsReady, detail: agentsReady ? "ready" : "no LLM provider configured")

        // 7. The pipeline (inbox → scheduler → outbox), channels feeding it, and what a crash left unfinished.
        let sessionStores = AgentSystemBuilder.sessionStores(system)
        await LegacySessionImport(system: system, sessions: sessionStores, logger: logger).run()
        let controls = OwnerControls(store: store, config: config, metrics: metrics, notifier: notifier, logger: logger)
        let pipeline = MessagePipeline(
            system: system, store: store, sessions: sessionStores, metrics: metrics,
            controls: controls, media: try makeMediaIntake(config), logger: logger)
        let channels = try ChannelBuilder.build(
            config: config, sink: pipeline, metrics: metrics,
            onButton: { approvals.handle($0) }, logger: logger)
        pipeline.attach(channels)
        channelSlot.set(channels)
        await recoverUnfinished(pipeline)
        let scheduling = startSchedules(config, store: store, pipeline: pipeline)
        defer { scheduling.cancel() }
        let supervisor = ChannelSupervisor(channels: channels, board: board, logger: logger)
        logNextSteps(config: config, agentsReady: agentsReady, channels: channels)
        let intake = Task { await supervisor.run() }
        let pruning = Task { await pipeline.pruneFinishedPeriodically() }
        logger.info("gateway started (pid \(getpid()))")
        await pipeline.trimWhenSettled()

        // 8. Serve until SIGTERM/SIGINT; SIGHUP reopens the log file.
        await waitForTermination(signals)

        // 9. Shutdown: stop intake, let running turns finish within the grace period; the rest stays pending.
        await shutDown(
            tasks: [intake, pruning, scheduling], supervisor: supervisor, pipeline: pipeline, store: store,
            config: config)
        return 0
    }

    /// Refuses a non-loopback listen address unless the config or the command line opted in (then warns).
    private func checkExposure(_ config: PicoConfiguration) throws {
        let host = config.gateway.host
        guard !GatewayConfig.isLoopback(host) else { return }
        guard config.gateway.allowPublicBind || options.allowPublicBind else {
            throw GatewayStartError(PublicBindRefused(host: host).description, exitCode: 1)
        }
        logger.warning(
            "SECURITY: the gateway listens on \(host), reachable from other machines. Anyone who can reach it sees /health and /ready. Prefer 127.0.0.1 behind a reverse proxy."
        )
    }

    /// Starts `/health`, `/ready` and `/metrics`. Every check /ready will wait for is registered before it
    /// answers, so it can never report ready too early.
    private func startHealthEndpoint(
        _ config: PicoConfiguration
    ) throws -> (ReadinessBoard, GatewayMetrics, HealthServer) {
        let board = ReadinessBoard()
        board.set("agents", ok: false, detail: "starting")
        if config.channels.telegram.enabled { board.set("telegram", ok: false, detail: "starting") }
        if config.channels.discord.enabled { board.set("discord", ok: false, detail: "starting") }
        let metrics = GatewayMetrics(board: board)
        board.serveMetrics(metrics)
        do {
            return (
                board, metrics, try HealthServer(host: config.gateway.host, port: config.gateway.port, board: board)
            )
        } catch {
            throw GatewayStartError(error.description, exitCode: 1)
        }
    }

    /// Takes the PID file; a second gateway using the same file is refused.
    private func acquirePidFile(at pidPath: String) throws -> PidFile {
        do {
            return try PidFile(path: pidPath)
        } catch {
            throw GatewayStartError(error.description, exitCode: 1)
        }
    }

    /// Creates the workspaces, refuses any that overlaps the gateway's own files, and self-tests the exec sandbox.
    private func prepareWorkspacesAndSandbox(_ config: PicoConfiguration) async throws {
        try prepareWorkspaces(config)
        let overlaps = WorkspaceOverlap.find(loaded)
        if let first = overlaps.first {
            throw GatewayStartError(
                first.description
                    + (overlaps.count > 1
                        ? " (and \(overlaps.count - 1) more overlap(s); `picoclaw security audit` lists them)" : ""),
                exitCode: 78)
        }
        // Every probe runs in a child process: a seccomp filter that kills on a sandbox call (systemd's
        // @system-service lacks landlock_* before v255) kills the probe, never the gateway.
        let sandbox = await SandboxedExecutor.selfTest(config: config.tools.exec)
        for line in sandbox.layers { logger.info("exec sandbox layer \(line)") }
        if sandbox.enforced {
            logger.info("exec sandbox: \(sandbox.layer) (self-test passed)")
        } else {
            logger.warning(
                "exec sandbox: \(sandbox.layer) — the kernel sandbox is not enforcing; exec is refused unless an agent is unrestricted. \(sandbox.details.joined(separator: "; "))"
            )
        }
        if let problem = SandboxedExecutor.landlockProblem {
            logger.warning("exec sandbox: Landlock unavailable — \(problem)")
        }
    }

    /// Opens the state store (inbox, outbox, sessions, cursors) with the owner controls' tables.
    private func openStateStore(_ config: PicoConfiguration) async throws -> StateStore {
        let store: StateStore
        do {
            store = try await StateStore.open(
                directory: config.gateway.stateDir, migrations: OwnerControlsSchema.migrations)
        } catch {
            throw GatewayStartError(
                "\(error.description). Fix gateway.state_dir (default $PICOCLAW_HOME/state) or the permissions of that directory",
                exitCode: 1)
        }
        logger.info("state store \(store.path) (SQLite heap \(StateStore.heapBytes / 1024) KiB)")
        return store
    }

    /// Queues what a crash or restart left unfinished: messages to answer and stored replies to send.
    private func recoverUnfinished(_ pipeline: MessagePipeline) async {
        do {
            let recovered = try await pipeline.recover()
            if recovered.turns + recovered.replies > 0 {
                logger.notice(
                    "resuming after a restart: \(recovered.turns) message(s) to answer, \(recovered.replies) stored repl(y/ies) to send"
                )
            }
        } catch {
            logger.error("cannot read the inbox: \(error)")
        }
    }

    /// Returns on SIGTERM or SIGINT; SIGHUP reopens the log file.
    private func waitForTermination(_ signals: SignalEvents) async {
        for await sig in signals.stream {
            if sig == SIGHUP {
                logger.info(output.reopen() ? "log file reopened" : "SIGHUP: no log file to reopen")
                continue
            }
            logger.info("received \(sig == SIGTERM ? "SIGTERM" : "SIGINT"), shutting down")
            break
        }
    }

    /// Stops the background tasks and the channels, lets running turns finish within the grace period (the rest
    /// stays pending in the inbox for the next start) and closes the state store.
    private func shutDown(
        tasks: [Task<Void, Never>], supervisor: ChannelSupervisor, pipeline: MessagePipeline,
        store: StateStore, config: PicoConfiguration
    ) async {
        for task in tasks { task.cancel() }
        await supervisor.stopAll()
        await pipeline.stopIntake()
        let grace = options.shutdownGrace ?? .seconds(config.gateway.shutdownGraceSeconds)
        let running = await pipeline.running
        if running > 0 { logger.info("waiting up to \(grace) for \(running) running turn(s)") }
        let finished = await pipeline.waitForRunningTurns(timeout: grace)
        let unfinished = await pipeline.running
        if let open = await pipeline.openCount(), open > 0 {
            let stopped = finished ? "" : " (\(unfinished) still running when the grace period ended were stopped)"
            logger.notice("left \(open) message(s) pending in the inbox\(stopped); they are answered after the restart")
        }
        await store.close()
        logger.info("gateway stopped")
    }

    /// Fires due reminders and scheduled turns into the pipeline. With tools.schedule.enabled false nothing fires
    /// (stored schedules wait; `picoclaw schedules` removes them).
    private func startSchedules(
        _ config: PicoConfiguration, store: StateStore,
        pipeline: MessagePipeline
    ) -> Task<Void, Never> {
        let schedules = ScheduleRunner(
            schedules: ScheduleStore(store: store, maxPerOwner: config.tools.schedule.maxPerSender),
            sink: pipeline, logger: logger)
        return Task { if config.tools.schedule.enabled { await schedules.run() } }
    }

    /// Where received pictures and files are kept (a bad media setting stops the start with exit 78).
    private func makeMediaIntake(_ config: PicoConfiguration) throws -> MediaIntake {
        do { return try MediaIntake.make(config: config, redactor: loaded.redactor, logger: logger) } catch {
            throw GatewayStartError(error.description, exitCode: 78)
        }
    }

    private func prepareWorkspaces(_ config: PicoConfiguration) throws {
        for agent in config.resolvedAgents() {
            let code = Directories.create(agent.workspace, mode: 0o700)
            if code != 0 {
                throw GatewayStartError(
                    "cannot create workspace \(agent.workspace) for agent \(agent.id): \(errnoText(code)). Fix the path or its parent's permissions (agents.defaults.workspace / agents.list[].workspace)"
                )
            }
            if access(agent.workspace, W_OK) != 0 {
                throw GatewayStartError(
                    "workspace \(agent.workspace) of agent \(agent.id) is not writable by this user")
            }
            if !agent.restrictToWorkspace {
                logger.warning(
                    "SECURITY: agent \(agent.id) has restrict_to_workspace off: its file tools may leave \(agent.workspace)"
                )
            }
        }
    }

    private func logNextSteps(config: PicoConfiguration, agentsReady: Bool, channels: [any Channel]) {
        if !loaded.fileExists {
            logger.notice(
                "no config file at \(loaded.path); running on defaults and environment. `picoclaw onboard` writes a starter config"
            )
        }
        if !agentsReady {
            logger.notice(
                "next: configure an LLM provider, e.g. PICOCLAW_PROVIDERS_OPENROUTER_API_KEY_FILE=/path/to/key and PICOCLAW_AGENTS_DEFAULTS_MODEL=openrouter/<model>"
            )
        }
        if channels.isEmpty {
            logger.notice(
                "next: enable a channel, e.g. PICOCLAW_CHANNELS_TELEGRAM_ENABLED=true, PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE=/path/to/token, PICOCLAW_CHANNELS_TELEGRAM_ALLOW_FROM=<your numeric user id>"
            )
        }
    }
}
