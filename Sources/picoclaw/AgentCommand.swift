import ArgumentParser
import Glibc
import Logging
import PicoAgent
import PicoConfig
import PicoPolicy
import PicoState
import PicoSystem

/// `picoclaw agent [-m TEXT] [--agent ID] [--session KEY] [--config PATH] [--debug]`: local agent turns.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Talk to an agent locally: one turn with -m, else an interactive chat reading lines from stdin.",
        discussion: """
            The answer is printed to stdout. With --debug every tool call (tool, redacted arguments, policy \
            verdict, duration, exit status) is printed to stderr. Sessions persist in the state store \
            (gateway.state_dir, outside every workspace; see picoclaw sessions); the default session is \
            cli:default. Exit status 1 when the provider fails.
            """)

    @Option(
        name: [.short, .customLong("message")],
        help: ArgumentHelp("The message to send (omit for an interactive chat).", valueName: "text"))
    var message: String?

    @Option(name: .long, help: ArgumentHelp("Agent id (default: the default agent).", valueName: "id"))
    var agent: String?

    @Option(name: .long, help: ArgumentHelp("Session key (stored as agent:<id>:<key>).", valueName: "key"))
    var session: String = "cli:default"

    @OptionGroup var configOptions: ConfigOptions

    @Flag(name: .long, help: "Print every tool call to stderr and log at debug level.")
    var debug = false

    func run() async throws {
        let loaded = try configOptions.loadOrExit()
        let level: Logger.Level = debug ? .debug : .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "picoclaw.agent")
        var sink: ToolAuditSink?
        if debug { sink = { event in StandardError.print("[tool] \(event)") } }
        let store = try await openStateStoreOrExit(loaded)
        let system: AgentSystem
        // The exec sandbox's probes run on their own thread, not while the agents are built.
        if loaded.config.tools.exec.enabled { await SandboxedExecutor.prepare() }
        do {
            system = try AgentFactory.make(
                from: loaded, auditSink: sink, logger: logger,
                options: AgentFactory.Options(requireProvider: true, stateStore: store))
        } catch {
            StandardError.print("error: \(error.message)")
            throw ExitCode(1)
        }
        for warning in system.warnings { StandardError.print("warning: \(warning)") }

        let agentID = agent.map(AgentID.normalize) ?? system.defaultAgentID
        guard let runtime = system.agent(agentID) else {
            StandardError.print(
                "error: unknown agent \(agentID); configured agents: \(system.agentIDs.joined(separator: ", "))")
            throw ExitCode(1)
        }
        let key = SessionKey.scoped(session, agentID: runtime.settings.id)
        let chatID = session.split(separator: ":").last.map(String.init) ?? session

        if let message {
            let reply = await runtime.respond(
                to: InboundText(text: message, channel: "cli", chatID: chatID), session: key)
            print(reply.text)
            await store.close()
            if reply.isFailure { throw ExitCode(1) }
            return
        }
        let interactive = isatty(0) == 1
        if interactive { StandardError.print("picoclaw agent \(runtime.settings.id) (session \(key)); Ctrl-D to quit") }
        var failed = false
        while true {
            if interactive { StandardError.write("> ") }
            guard let line = readLine(strippingNewline: true) else { break }
            if line.trimmedWhitespace.isEmpty { continue }
            let reply = await runtime.respond(to: InboundText(text: line, channel: "cli", chatID: chatID), session: key)
            print(reply.text)
            fflush(nil)
            failed = failed || reply.isFailure
        }
        await store.close()
        if failed && !interactive { throw ExitCode(1) }
    }
}

extension StandardError {
    /// Writes `text` to stderr without a newline.
    static func write(_ text: String) {
        var t = text
        t.withUTF8 { buf in _ = Glibc.write(2, buf.baseAddress, buf.count) }
    }
}
