import Logging
import Synchronization

/// Applies an `Allowlist` to incoming senders and writes the log lines an owner needs: at start what to add
/// when nobody is allowed; for a refused sender their numeric id and the exact config line to add, then at
/// most one line per hour with how many of their messages were refused (for reviewing access logs).
final class SenderGate: Sendable {
    let allowlist: Allowlist
    private let logger: Logger
    private let now: @Sendable () -> ContinuousClock.Instant
    /// Sender ids already reported (weakly matched); bounded so a spammer cannot grow it forever.
    private let reported = Mutex<Set<String>>([])
    /// Refused senders: when they were last reported and how many messages were refused since.
    private let refusals = Mutex<[String: Refusals]>([:])
    private static let maxReported = 10_000
    /// One report per refused sender per this interval.
    static let reportInterval: Duration = .seconds(3600)

    private struct Refusals {
        var lastReport: ContinuousClock.Instant
        var since = 0
    }

    /// `dm_policy: pairing`: direct messages from senders outside the list are passed on, marked
    /// ``InboundMessage/pairingCandidate``, so the gateway can check or offer pairing. Never in groups.
    let pairing: Bool
    /// Called once per refused message (metrics).
    let onRefused: (@Sendable () -> Void)?

    init(
        allowlist: Allowlist, pairing: Bool = false, onRefused: (@Sendable () -> Void)? = nil, logger: Logger,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.allowlist = allowlist
        self.pairing = pairing
        self.onRefused = onRefused
        self.logger = logger
        self.now = now
    }

    /// The message if it may go on: admitted by the list, or (pairing, direct chats only) marked as a pairing
    /// candidate; `nil` when refused.
    func admitting(_ message: InboundMessage) -> InboundMessage? {
        if pairing && message.kind == .direct
            && allowlist.decide(senderID: message.senderID, username: message.username) == .refused
        {
            var candidate = message
            candidate.pairingCandidate = true
            return candidate
        }
        return admit(senderID: message.senderID, username: message.username) ? message : nil
    }

    private var platform: String { allowlist.platform }
    private var envName: String { "PICOCLAW_CHANNELS_\(platform.uppercased())_ALLOW_FROM" }

    /// Logs how the allowlist is configured (call once at start).
    func logConfiguration() {
        for entry in allowlist.ignoredEntries {
            logger.warning("\(platform): ignoring allow_from entry \(entry)")
        }
        if allowlist.isEmpty {
            logger.warning(
                "\(platform): allow_from is empty, so nobody can talk to the bot. Add your numeric user id: \(envName)=<id> (send a message to the bot to see your id in this log)"
            )
        } else if allowlist.allowsEveryone {
            logger.warning("\(platform): allow_from contains \"*\", so everyone can talk to the bot")
        }
        if !allowlist.usernames.isEmpty {
            let names = allowlist.usernames.sorted().map { "@\($0)" }.joined(separator: ", ")
            logger.warning(
                "\(platform): allow_from has username entries (\(names)); usernames can be changed or reassigned, so prefer numeric user ids"
            )
        }
    }

    /// Whether `senderID` may talk to the bot; logs refusals and weak matches once per sender.
    func admit(senderID: String, username: String?) -> Bool {
        let decision = allowlist.decide(senderID: senderID, username: username)
        let who = username.map { "user \(senderID) (@\($0))" } ?? "user \(senderID)"
        switch decision {
        case .allowed(.byID), .allowedEveryone:
            return true
        case .allowed(.byUsername):
            if firstReport("weak:\(senderID)") {
                logger.warning(
                    "\(platform): allowed \(who) by username only; usernames can be reassigned. Prefer adding \"\(senderID)\" to channels.\(platform).allow_from"
                )
            }
            return true
        case .refused:
            onRefused?()
            switch countRefusal(senderID) {
            case .first:
                logger.info(
                    "\(platform): refused message from \(who). To allow them add \"\(senderID)\" to channels.\(platform).allow_from (or \(envName)=\(senderID))"
                )
            case .hourly(let count):
                logger.info(
                    "\(platform): \(count) message\(count == 1 ? "" : "s") refused in the last hour from \(who) (not in channels.\(platform).allow_from)"
                )
            case .quiet:
                logger.debug("\(platform): refused message from \(who)")
            }
            return false
        }
    }

    private enum RefusalReport { case first, hourly(Int), quiet }

    /// Counts one refused message and says whether (and what) to log.
    private func countRefusal(_ senderID: String) -> RefusalReport {
        let now = now()
        return refusals.withLock { map in
            guard var entry = map[senderID] else {
                if map.count >= Self.maxReported { map.removeAll(keepingCapacity: true) }
                map[senderID] = Refusals(lastReport: now)
                return .first
            }
            entry.since += 1
            defer { map[senderID] = entry }
            guard now - entry.lastReport >= Self.reportInterval else { return .quiet }
            let count = entry.since
            entry.since = 0
            entry.lastReport = now
            return .hourly(count)
        }
    }

    private func firstReport(_ key: String) -> Bool {
        reported.withLock { set in
            if set.contains(key) { return false }
            if set.count >= Self.maxReported { set.removeAll(keepingCapacity: true) }
            set.insert(key)
            return true
        }
    }
}
