import ArgumentParser
import Glibc
import PicoAgent
import PicoConfig
import PicoState

/// `picoclaw sessions list | show KEY | export KEY | clear KEY`: the conversations in the state store.
/// Everything printed passes the configuration's secret redactor (sessions are stored redacted already).
struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List, show, export or clear the conversations kept in the state store (gateway.state_dir).",
        subcommands: [List.self, Show.self, Export.self, Clear.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One line per session: key, agent, messages, last update (UTC).")
        @OptionGroup var configOptions: ConfigOptions

        func run() async throws {
            try await withStore(configOptions) { store, _ in
                let sessions = try await store.sessions()
                if sessions.isEmpty { StandardError.print("no sessions in \(store.path)") }
                for s in sessions {
                    print("\(s.key)\tagent=\(s.agent)\tmessages=\(s.messageCount)\tupdated=\(iso8601(s.updatedAt))")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The messages of one session, oldest first, as role: text.")
        @Argument(help: "The session key (from `picoclaw sessions list`).") var key: String
        @OptionGroup var configOptions: ConfigOptions

        func run() async throws {
            try await withStore(configOptions) { store, redact in
                let rows = try await sessionRows(store, key)
                for message in StateSessionStore.decode(rows) {
                    var text = message.content
                    if let calls = message.toolCalls, !calls.isEmpty {
                        text += (text.isEmpty ? "" : " ") + "[tool calls: \(calls.map(\.name).joined(separator: ", "))]"
                    }
                    print("\(message.role.rawValue): \(redact(text))")
                }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The session as JSON Lines (one message per line) on stdout.")
        @Argument(help: "The session key.") var key: String
        @OptionGroup var configOptions: ConfigOptions

        func run() async throws {
            try await withStore(configOptions) { store, redact in
                for row in try await sessionRows(store, key) { print(redact(row)) }
            }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deletes one session (the agent starts that conversation afresh).")
        @Argument(help: "The session key.") var key: String
        @OptionGroup var configOptions: ConfigOptions

        func run() async throws {
            try await withStore(configOptions) { store, _ in
                guard try await store.clearSession(key) else {
                    StandardError.print(
                        "error: no session \(key) in \(store.path); `picoclaw sessions list` shows the keys")
                    throw ExitCode(1)
                }
                print("cleared \(key)")
            }
        }
    }
}

/// Opens the state store of the loaded configuration, runs `body`, closes it. Store errors exit 1 with the message.
func withStore(
    _ options: ConfigOptions,
    _ body: (StateStore, @escaping @Sendable (String) -> String) async throws -> Void
) async throws {
    let loaded = try options.loadOrExit()
    let store = try await openStateStoreOrExit(loaded)
    let redactor = loaded.redactor
    do {
        try await body(store) { redactor.redact($0) }
    } catch let error as StateError {
        await store.close()
        StandardError.print("error: \(error)")
        throw ExitCode(1)
    } catch {
        await store.close()
        throw error
    }
    await store.close()
}

/// The state store of `loaded` (`gateway.state_dir`); on failure prints the error and exits 1.
func openStateStoreOrExit(_ loaded: LoadedConfig) async throws -> StateStore {
    do {
        return try await StateStore.open(
            directory: loaded.config.gateway.stateDir, migrations: OwnerControlsSchema.migrations)
    } catch {
        StandardError.print("error: \(error)")
        throw ExitCode(1)
    }
}

/// The rows of `key`, or exit 1 naming the key when there is no such session.
private func sessionRows(_ store: StateStore, _ key: String) async throws -> [String] {
    let rows = try await store.sessionMessages(key)
    if rows.isEmpty {
        StandardError.print("error: no session \(key) in \(store.path); `picoclaw sessions list` shows the keys")
        throw ExitCode(1)
    }
    return rows
}

/// `2026-01-02T03:04:05Z`.
private func iso8601(_ seconds: Int64) -> String {
    var t = time_t(seconds)
    var parts = tm()
    gmtime_r(&t, &parts)
    var buffer = [CChar](repeating: 0, count: 32)
    let n = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
    return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
