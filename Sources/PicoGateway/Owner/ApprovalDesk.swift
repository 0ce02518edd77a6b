import Glibc
import Logging
import PicoAgent
import PicoChannels
import PicoState
import Synchronization

/// Asks a channel's owners about commands `tools.exec.approval` holds: a message with the command (canonical argv,
/// resolved working directory, hash prefix, reason) and three buttons — *Approve once*, *Deny*, *Always for this
/// exact command*. Only a press by an owner of that channel counts; no answer within the timeout is a denial.
/// Every decision, with the approver, goes to the audit trail (logger `audit`, level notice).
final class ApprovalDesk: ExecApprover, Sendable {
    private struct Pending {
        let request: ExecApprovalRequest
        let owners: [String]
        let continuation: CheckedContinuation<(String, String?), Never>
    }

    private let pending = Mutex([String: Pending]())
    private let store: StateStore
    private let notifier: OwnerNotifier
    private let metrics: GatewayMetrics
    private let timeout: Duration
    private let audit = Logger(label: "audit")
    private let logger: Logger

    init(store: StateStore, notifier: OwnerNotifier, metrics: GatewayMetrics, timeout: Duration, logger: Logger) {
        self.store = store
        self.notifier = notifier
        self.metrics = metrics
        self.timeout = timeout
        self.logger = logger
    }

    func decide(_ request: ExecApprovalRequest) async -> ExecApprovalDecision {
        if (try? await store.hasStandingApproval(hash: request.hash)) == true {
            return record(request, decision: "approved", approver: "standing-rule")
        }
        let channelName = request.context.channel
        let owners = notifier.owners(of: channelName)
        guard !owners.isEmpty, let channel = notifier.channel(channelName) as? any ButtonChannel else {
            logger.warning(
                "exec approval: \(channelName) has no owner who can be asked with buttons (set channels.\(channelName).owners); the command is denied"
            )
            return record(request, decision: "denied", approver: "no-owner")
        }
        let id = Self.newID()
        let text = """
            Approve this command?
            \(request.command)
            argv: \(request.argv.map { $0.joined(separator: " ") }.joined(separator: " | "))
            cwd: \(request.workingDirectory)
            why: \(request.reason)
            from: agent \(request.context.agentID), \(channelName) chat \(request.context.chatID)
            sha256: \(request.hash.prefix(16))… — expires in \(timeout.components.seconds) s
            """
        let buttons = [
            PromptButton(label: "Approve once", data: "ap:\(id):once"),
            PromptButton(label: "Deny", data: "ap:\(id):deny"),
            PromptButton(label: "Always for this exact command", data: "ap:\(id):always"),
        ]
        let (choice, approver) = await withCheckedContinuation {
            (continuation: CheckedContinuation<(String, String?), Never>) in
            pending.withLock { $0[id] = Pending(request: request, owners: owners, continuation: continuation) }
            let timeout = self.timeout
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                self?.resolve(id, choice: "timeout", approver: nil)
            }
            Task {
                var sent = false
                for owner in owners {
                    do {
                        let chat = try await channel.privateChat(with: owner)
                        try await channel.sendButtons(text, to: ReplyTarget(chatID: chat), buttons: buttons)
                        sent = true
                    } catch {
                        self.logger.warning("exec approval: cannot ask \(channelName) owner \(owner): \(error)")
                    }
                }
                if !sent { self.resolve(id, choice: "unsendable", approver: nil) }
            }
        }
        switch choice {
        case "once":
            return record(request, decision: "approved-once", approver: approver ?? "")
        case "always":
            do {
                try await store.addStandingApproval(
                    hash: request.hash, argv: request.argv.map { $0.joined(separator: " ") }.joined(separator: " | "),
                    cwd: request.workingDirectory, approvedBy: approver ?? "")
            } catch {
                logger.error("exec approval: cannot record the standing approval: \(error)")
            }
            return record(request, decision: "approved-always", approver: approver ?? "")
        case "deny":
            return record(request, decision: "denied", approver: approver ?? "")
        default:
            return record(request, decision: "denied-\(choice)", approver: "none")
        }
    }

    /// A button press from a channel (any press; only an owner's counts).
    func handle(_ press: ButtonPress) {
        let parts = press.data.split(separator: ":")
        guard parts.count == 3, parts[0] == "ap" else { return }
        let id = String(parts[1]), choice = String(parts[2])
        let entry = pending.withLock { $0[id] }
        let channel = notifier.channel(press.channel) as? any ButtonChannel
        guard let entry else {
            Task { await channel?.acknowledge(press, text: "This request has expired or was already decided.") }
            return
        }
        guard press.channel == entry.request.context.channel, entry.owners.contains(press.userID) else {
            audit.notice(
                "exec approval: ignored a press by \(press.channel):\(press.userID), not an owner",
                metadata: ["hash": "\(entry.request.hash)"])
            Task { await channel?.acknowledge(press, text: "Only the owner can decide.") }
            return
        }
        guard ["once", "deny", "always"].contains(choice) else { return }
        resolve(id, choice: choice, approver: "\(press.channel):\(press.userID)")
        Task {
            await channel?.acknowledge(
                press,
                text: choice == "deny"
                    ? "Denied." : choice == "once" ? "Approved once." : "Approved for this exact command.")
        }
    }

    private func resolve(_ id: String, choice: String, approver: String?) {
        guard let entry = pending.withLock({ $0.removeValue(forKey: id) }) else { return }
        entry.continuation.resume(returning: (choice, approver))
    }

    private func record(_ request: ExecApprovalRequest, decision: String, approver: String) -> ExecApprovalDecision {
        metrics.add("picoclaw_approvals_total", [("decision", decision)])
        audit.notice(
            "exec approval: \(decision)",
            metadata: [
                "approver": "\(approver)", "hash": "\(request.hash)", "cwd": "\(request.workingDirectory)",
                "argv": "\(request.argv.map { $0.joined(separator: " ") }.joined(separator: " | "))",
                "agent": "\(request.context.agentID)", "channel": "\(request.context.channel)",
                "chat": "\(request.context.chatID)",
                "reason": "\(request.reason)",
            ])
        return decision.hasPrefix("approved") ? .approved(approver: approver) : .denied(reason: decision)
    }

    private static func newID() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<6).map { _ in String(UInt8.random(in: 0...255, using: &rng), radix: 16) }.map {
            $0.count == 1 ? "0" + $0 : $0
        }.joined()
    }
}
