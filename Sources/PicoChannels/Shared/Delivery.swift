import Logging
import PicoHTTP

/// What one send attempt came to.
enum AttemptOutcome: Sendable {
    /// Delivered.
    case delivered
    /// Rate limited: wait `after` (from `retry_after` / `Retry-After`), then retry.
    case rateLimited(after: Duration, reason: String)
    /// A 5xx or network error: retry with backoff.
    case transient(String)
    /// A 4xx other than 429, or anything retrying cannot fix.
    case permanent(String)
}

/// Runs send attempts with the retry rules every channel shares: 429 → wait the server's delay; 5xx and
/// network errors → capped exponential backoff with jitter; other 4xx → stop. On final failure it logs
/// `failed to deliver reply to chat <id> after N attempts: <reason>` and throws `ChannelError.deliveryFailed`.
struct Delivery: Sendable {
    let platform: String
    let timing: ChannelTiming
    let logger: Logger

    /// Calls `attempt` until it delivers or the attempts run out.
    func run(chatID: String, _ attempt: () async throws -> AttemptOutcome) async throws {
        var attempts = 0
        var lastReason = "not attempted"
        while attempts < timing.maxAttempts {
            try Task.checkCancellation()
            attempts += 1
            let outcome: AttemptOutcome
            do {
                outcome = try await attempt()
            } catch let error as HTTPClientError {
                outcome = .transient(error.description)
            }
            switch outcome {
            case .delivered:
                return
            case .permanent(let reason):
                try fail(chatID: chatID, attempts: attempts, reason: reason)
            case .rateLimited(let after, let reason):
                lastReason = reason
                guard attempts < timing.maxAttempts else { break }
                logger.debug("\(platform): rate limited sending to chat \(chatID); retrying in \(timing.scaled(after))")
                try await timing.sleep(after)
            case .transient(let reason):
                lastReason = reason
                guard attempts < timing.maxAttempts else { break }
                let delay = timing.retryDelay(attempt: attempts - 1)
                logger.debug(
                    "\(platform): send to chat \(chatID) failed (\(reason)); retrying in \(timing.scaled(delay))")
                try await timing.sleep(delay)
            }
        }
        try fail(chatID: chatID, attempts: attempts, reason: lastReason)
    }

    private func fail(chatID: String, attempts: Int, reason: String) throws -> Never {
        let error = ChannelError.deliveryFailed(chatID: chatID, attempts: attempts, reason: reason)
        logger.error("\(platform): \(error.description)")
        throw error
    }
}

/// Classifies an HTTP status for delivery retries.
func classify(status: Int, retryAfter: Duration?, reason: String) -> AttemptOutcome {
    switch status {
    case 200..<300: return .delivered
    case 429: return .rateLimited(after: retryAfter ?? .seconds(1), reason: reason)
    case 408, 500...599: return .transient(reason)
    default: return .permanent(reason)
    }
}
