import Logging
import Synchronization

/// Applies an `Allowlist` to incoming senders and writes the log lines an owner needs: at start what to add
/// when nobody is allowed, and once per refused sender their numeric id and the exact config line to add.
final class SenderGate: Sendable {
    let allowlist: Allowlist
    private let logger: Logger
    /// Sender ids already reported (refused or weakly matched); bounded so a spammer cannot grow it forever.
    private let reported = Mutex<Set<String>>([])
    private static let maxReported = 10_000

    /// `dm_policy: pairing`: direct messages from senders outside the list are passed on, marked
    /// ``InboundMessage/pairingCandidate``, so the gateway can check or offer pairing. Never in groups.
    let pairing: Bool
    /// Called once per refused message (metrics).
    let onRefused: (@Sendable () -> Void)?

    init(allowlist: Allowlist, pairing: Bool = false, onRefused: (@Sendable () -> Void)? = nil, logger: Logger) {
        self.allowlist = allowlist
        self.pairing = pairing
        self.onRefused = onRefused
        self.logger = logger
    }

    /// The message if it may go on: admitted by the list, or (pairing, direct chats only) marked as a pairing
    /// candidate; `nil` when refused.
    func admitting(_ message: InboundMessage) -> InboundMessage? {
        if pairing && message.kind == .direct
            && allowlist.decide(senderID: message.senderID, username: message.username) == .refused {
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
            logger.warning("\(platform): allow_from is empty, so nobody can talk to the bot. Add your numeric user id: \(envName)=<id> (send a message to the bot to see your id in this log)")
        } else if allowlist.allowsEveryone {
            logger.warning("\(platform): allow_from contains \"*\", so everyone can talk to the bot")
        }
        if !allowlist.usernames.isEmpty {
            let names = allowlist.usernames.sorted().map { "@\($0)" }.joined(separator: ", ")
            logger.warning("\(platform): allow_from has username entries (\(names)); usernames can be changed or reassigned, so prefer numeric user ids")
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
                logger.warning("\(platform): allowed \(who) by username only; usernames can be reassigned. Prefer adding \"\(senderID)\" to channels.\(platform).allow_from")
            }
            return true
        case .refused:
            onRefused?()
            if firstReport("refused:\(senderID)") {
                logger.info("\(platform): refused message from \(who). To allow them add \"\(senderID)\" to channels.\(platform).allow_from (or \(envName)=\(senderID))")
            } else {
                logger.debug("\(platform): refused message from \(who)")
            }
            return false
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
