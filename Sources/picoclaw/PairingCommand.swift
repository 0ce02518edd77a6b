import ArgumentParser
import Glibc
import PicoConfig
import PicoState

/// `picoclaw pairing list | approve CODE | revoke ID`: the owner's side of `dm_policy: pairing`.
struct PairingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pairing",
        abstract: "List, approve and revoke pairings of senders (channels.<name>.dm_policy: pairing).",
        discussion: """
            Works while the gateway runs (the state store takes concurrent readers and writers). Run it as the \
            user the gateway runs as (e.g. sudo -u picoclaw picoclaw pairing list). See Docs/owner-controls.md.
            """,
        subcommands: [List.self, Approve.self, Revoke.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show pending codes and paired senders.")
        @OptionGroup var options: ConfigOptions
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() async throws {
            let store = try await OwnerStore.open(options)
            defer { Task { await store.close() } }
            let pending = try await store.pendingPairings()
            let paired = try await store.pairedSenders()
            await store.close()
            if json {
                let p = pending.map { r -> JSONValue in
                    .object([
                        "code": .string(r.code), "channel": .string(r.channel), "sender": .string(r.sender),
                        "username": r.username.map { .string($0) } ?? .null, "expires_at": .number(String(r.expiresAt)),
                    ])
                }
                let a = paired.map { r -> JSONValue in
                    .object([
                        "channel": .string(r.channel), "sender": .string(r.sender),
                        "username": r.username.map { .string($0) } ?? .null,
                        "approved_at": .number(String(r.approvedAt)), "approved_by": .string(r.approvedBy),
                    ])
                }
                print(JSONValue.object(["pending": .array(p), "paired": .array(a)]).serialized())
                return
            }
            let now = Int64(time(nil))
            print(pending.isEmpty ? "No pending pairing codes." : "Pending codes:")
            for r in pending {
                print(
                    "  \(r.code)  \(r.channel) user \(r.sender)\(r.username.map { " (@\($0))" } ?? "")  expires in \(max(0, (r.expiresAt - now) / 60)) min"
                )
            }
            print(paired.isEmpty ? "No paired senders." : "Paired senders:")
            for p in paired {
                print("  \(p.channel):\(p.sender)\(p.username.map { " (@\($0))" } ?? "")  approved by \(p.approvedBy)")
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a pending pairing code.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "The 8-character code the sender received.") var code: String

        func run() async throws {
            let store = try await OwnerStore.open(options)
            let user = String(cString: getpwuid(geteuid())?.pointee.pw_name ?? strdup("uid\(geteuid())"))
            let paired = try await store.approvePairing(code: code, approver: "cli:\(user)")
            await store.close()
            guard let paired else {
                StandardError.print(
                    "error: no pending pairing has the code \(code.uppercased()) (codes expire after 1 hour; `picoclaw pairing list` shows them)"
                )
                throw ExitCode(1)
            }
            print(
                "Approved \(paired.channel) user \(paired.sender)\(paired.username.map { " (@\($0))" } ?? ""). The bot answers them from their next message."
            )
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a paired sender (ID or CHANNEL:ID).")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "The sender's user id, or <channel>:<id>.") var id: String

        func run() async throws {
            let store = try await OwnerStore.open(options)
            let removed = try await store.revokePairing(id)
            await store.close()
            guard !removed.isEmpty else {
                StandardError.print("error: no paired sender \(id) (`picoclaw pairing list` shows them)")
                throw ExitCode(1)
            }
            for p in removed { print("Revoked \(p.channel) user \(p.sender).") }
        }
    }
}

/// Opens the gateway's state store (with the pairing and usage tables) for a CLI command.
enum OwnerStore {
    static func open(_ options: ConfigOptions) async throws -> StateStore {
        try await openStateStoreOrExit(try options.loadOrExit())
    }
}
