import ArgumentParser
import PicoAgent
import PicoState

/// `picoclaw schedules list | remove ID`: the reminders and recurring tasks in the state store.
struct SchedulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules",
        abstract: "List or remove the schedules (reminders, recurring tasks) kept in the state store.",
        subcommands: [List.self, Remove.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One line per schedule: id, owner, chat, timing, next run, action and text.")
        @OptionGroup var configOptions: ConfigOptions

        func run() async throws {
            try await withStore(configOptions) { store, redact in
                let all = try await ScheduleStore(store: store).list()
                if all.isEmpty { StandardError.print("no schedules in \(store.path)") }
                for e in all {
                    let zone = TimeZoneRules.named(e.zone) ?? .utc
                    print(
                        "#\(e.id)\tagent=\(e.agent)\towner=\(e.owner)\tchat=\(e.channel):\(e.chat)\t\(e.timing.describe(in: zone))"
                            + "\tnext=\(CivilTime(zone.local(e.nextRun)).text)\t\(e.action): \(redact(String(e.text.prefix(200))))"
                    )
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deletes one schedule (it never fires again).")
        @Argument(help: "The schedule id (from `picoclaw schedules list`), with or without #.") var id: String
        @OptionGroup var configOptions: ConfigOptions

        func run() async throws {
            guard let number = Int64(id.hasPrefix("#") ? String(id.dropFirst()) : id) else {
                StandardError.print("error: '\(id)' is not a schedule id; `picoclaw schedules list` shows them")
                throw ExitCode(1)
            }
            try await withStore(configOptions) { store, _ in
                guard try await ScheduleStore(store: store).remove(id: number) else {
                    StandardError.print(
                        "error: no schedule #\(number) in \(store.path); `picoclaw schedules list` shows them")
                    throw ExitCode(1)
                }
                print("removed #\(number)")
            }
        }
    }
}
