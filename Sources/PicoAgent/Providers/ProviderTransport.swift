import FoundationEssentials
import Logging
import PicoConfig
import PicoHTTP
import PicoSystem

/// Sends provider requests over PicoHTTP with retries, and turns every failure into a redacted ``ProviderError``.
struct ProviderTransport: Sendable {
    let provider: String
    let redactor: SecretRedactor
    /// Redacts the provider's own key even when `redactor` does not know it (e.g. keys built in code).
    let keyRedactor: SecretRedactor
    let retry: RetryPolicy
    let logger: Logger

    init(provider: String, apiKey: Secret, redactor: SecretRedactor, retry: RetryPolicy, logger: Logger) {
        self.provider = provider
        self.redactor = redactor
        self.keyRedactor = SecretRedactor(secrets: [apiKey])
        self.retry = retry
        self.logger = logger
    }

    /// Applies both redactors.
    func redact(_ text: String) -> String { keyRedactor.redact(redactor.redact(text)) }

    /// Sends `request`, retrying transient failures; returns a 2xx response or throws ``ProviderError``.
    /// `perform` sends one attempt (a streaming request hands its own); `mayRetry` is asked before each retry.
    func send(
        _ request: HTTPRequest,
        perform: @Sendable (HTTPRequest) async throws -> HTTPResponse = { try await HTTPClient.shared.send($0) },
        mayRetry: () -> Bool = { true }
    ) async throws(ProviderError) -> HTTPResponse {
        var attempt = 0
        while true {
            attempt += 1
            let (failure, retryAfter) = try await attemptOnce(request, attempt: attempt, perform: perform)
            guard let failure else { continue }
            if case .success(let response) = failure { return response }
            guard case .failure(let error) = failure else { continue }
            let retryIndex = attempt - 1
            guard retryIndex < retry.maxRetries, mayRetry() else { throw error }
            let delay = retry.delay(beforeRetry: retryIndex, retryAfter: retryAfter)
            logger.warning(
                "LLM request failed, retrying",
                metadata: [
                    "provider": "\(provider)", "error": "\(error.description)",
                    "retry": "\(retryIndex + 1)/\(retry.maxRetries)", "delay_ms": "\(delay.milliseconds)",
                ])
            do {
                try await retry.sleep(delay)
            } catch {
                throw ProviderError(provider: provider, kind: .cancelled, detail: "", attempts: attempt)
            }
            if Task.isCancelled {
                throw ProviderError(provider: provider, kind: .cancelled, detail: "", attempts: attempt)
            }
        }
    }

    /// One attempt: the 2xx response, or a retryable failure with the server's `Retry-After`.
    /// Non-retryable failures are thrown.
    private func attemptOnce(
        _ request: HTTPRequest, attempt: Int,
        perform: @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) async throws(ProviderError)
        -> (Result<HTTPResponse, ProviderError>?, String?)
    {
        do {
            let response = try await perform(request)
            if response.isSuccess { return (.success(response), nil) }
            let failure = ProviderError.redacted(
                provider: provider, kind: .http(status: response.status),
                detail: ProviderTransport.errorMessage(fromBody: response.body),
                attempts: attempt, transport: self)
            guard RetryPolicy.retryableStatuses.contains(response.status) else { throw failure }
            return (.failure(failure), response.header("Retry-After"))
        } catch let error as ProviderError {
            throw error
        } catch is CancellationError {
            throw ProviderError(provider: provider, kind: .cancelled, detail: "", attempts: attempt)
        } catch let error as HTTPClientError {
            let kind: ProviderError.Kind = error == .timedOut ? .timedOut : .unreachable
            let failure = ProviderError.redacted(
                provider: provider, kind: kind, detail: error.description,
                attempts: attempt, transport: self)
            guard error.isTransient else { throw failure }
            return (.failure(failure), nil)
        } catch {
            throw .redacted(
                provider: provider, kind: .unreachable, detail: String(describing: error),
                attempts: attempt, transport: self)
        }
    }

    /// The provider's error message from an error body (`{"error":{"message":…}}`, `{"error":"…"}`,
    /// `{"message":…}`), else the raw text. Not yet redacted.
    static func errorMessage(fromBody body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(8192), as: UTF8.self)
        guard let json = JSONValue.parse(text) else { return text }
        if case .string(let m)? = json["error"]?["message"] { return m }
        if case .string(let m)? = json["error"] { return m }
        if case .string(let m)? = json["message"] { return m }
        if case .string(let m)? = json["detail"] { return m }
        return text
    }

    /// Encodes a wire body as compact JSON.
    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? Array(encoder.encode(value))) ?? Array("{}".utf8)
    }

    /// Reads a wire response with ``JSONObjectReader`` or throws `.invalidResponse` naming the problem.
    func read<T: JSONReadable>(_ type: T.Type, from response: HTTPResponse) throws(ProviderError) -> T {
        do {
            return try JSONObjectReader.read(T.self, from: response.body)
        } catch {
            throw .redacted(
                provider: provider, kind: .invalidResponse,
                detail: "could not decode the completion: \(String(describing: error))", transport: self)
        }
    }

    /// Decodes a wire response or throws `.invalidResponse` with a redacted excerpt of the problem.
    func decode<T: Decodable>(_ type: T.Type, from response: HTTPResponse) throws(ProviderError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body))
        } catch {
            throw .redacted(
                provider: provider, kind: .invalidResponse,
                detail: "could not decode the completion: \(String(describing: error))", transport: self)
        }
    }
}
