import Logging
import Synchronization

/// When each provider may be tried again after it failed (shared by every agent of a system).
public final class ProviderCooldowns: Sendable {
    private let until = Mutex<[String: ContinuousClock.Instant]>([:])
    /// How long a failed provider is skipped.
    public let duration: Duration
    let now: @Sendable () -> ContinuousClock.Instant

    /// - Parameter now: injectable clock for tests.
    public init(
        duration: Duration = .seconds(60),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock().now }
    ) {
        self.duration = duration
        self.now = now
    }

    /// `true` while `provider` is cooling down.
    public func isCooling(_ provider: String) -> Bool {
        let t = now()
        return until.withLock { $0[provider].map { t < $0 } ?? false }
    }

    func markFailed(_ provider: String) {
        let t = now() + duration
        until.withLock { $0[provider] = t }
    }

    func markHealthy(_ provider: String) {
        _ = until.withLock { $0.removeValue(forKey: provider) }
    }
}

/// One model to try: its provider and the id that provider expects.
public struct ModelCandidate: Sendable {
    public var provider: any LLMProvider
    public var modelID: String
    public init(provider: any LLMProvider, modelID: String) {
        self.provider = provider
        self.modelID = modelID
    }
}

/// Tries the agent's model, then each `model_fallbacks` entry, moving on when a provider is rate-limited (429),
/// failing (5xx, 529 overloaded), times out or cannot be reached. A provider that failed so is skipped for
/// ``ProviderCooldowns/duration`` (unless every candidate is cooling down). Other errors (a rejected key, a bad
/// request) are returned at once: another model would not fix them. The answer never mentions a switch; only when
/// every candidate failed does the error say how many models were tried.
public struct FallbackProvider: LLMProvider {
    let candidates: [ModelCandidate]
    let cooldowns: ProviderCooldowns
    let logger: Logger

    public init(
        candidates: [ModelCandidate], cooldowns: ProviderCooldowns,
        logger: Logger = Logger(label: "picoclaw.agent.provider")
    ) {
        precondition(!candidates.isEmpty, "a fallback chain needs at least one model")
        self.candidates = candidates
        self.cooldowns = cooldowns
        self.logger = logger
    }

    public var name: String { candidates[0].provider.name }

    /// `true` for failures another provider or model may not share.
    static func shouldFallBack(_ error: ProviderError) -> Bool {
        switch error.kind {
        case .http(let status): return status == 429 || status == 529 || (500...599).contains(status)
        case .timedOut, .unreachable: return true
        case .invalidResponse, .notConfigured, .cancelled: return false
        }
    }

    public func complete(_ request: LLMRequest) async throws -> LLMResponse {
        let ready = candidates.filter { !cooldowns.isCooling($0.provider.name) }
        let order = ready.isEmpty ? candidates : ready
        var lastError: ProviderError?
        for (index, candidate) in order.enumerated() {
            var attempt = request
            attempt.model = candidate.modelID
            do {
                let response = try await candidate.provider.complete(attempt)
                cooldowns.markHealthy(candidate.provider.name)
                if index > 0 || order.count < candidates.count {
                    logger.notice(
                        "answered by a fallback model",
                        metadata: [
                            "provider": "\(candidate.provider.name)", "model": "\(candidate.modelID)",
                        ])
                }
                return response
            } catch let error as ProviderError {
                guard FallbackProvider.shouldFallBack(error), !Task.isCancelled else { throw error }
                cooldowns.markFailed(candidate.provider.name)
                lastError = error
                if index + 1 < order.count {
                    logger.warning(
                        "model failed; trying the next fallback",
                        metadata: [
                            "provider": "\(candidate.provider.name)", "model": "\(candidate.modelID)",
                            "error": "\(error.description)",
                        ])
                }
            }
        }
        let last = lastError!
        guard order.count > 1 else { throw last }
        throw ProviderError(
            provider: last.provider, kind: last.kind,
            detail:
                "all \(order.count) models failed (\(order.map(\.modelID).joined(separator: ", "))); last: \(last.detail)",
            attempts: last.attempts, modelsTried: order.count)
    }
}
