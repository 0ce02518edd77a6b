import PicoHTTP

/// One GET of a platform file: no redirects, at most `maxBytes` (cut off there), errors as ``MediaError``.
/// `redact` removes secrets a transport error could contain (a token in the URL).
func fetchMedia(
    _ url: String, maxBytes: Int, proxy: String?, redact: (String) -> String = { $0 }
) async throws -> [UInt8] {
    var request = HTTPRequest(
        url: url, timeout: .seconds(120), maxResponseBytes: maxBytes, proxy: proxy, maxRedirects: 0)
    request.connectTimeout = .seconds(10)
    let response: HTTPResponse
    do {
        response = try await HTTPClient.shared.send(request)
    } catch HTTPClientError.responseTooLarge(_) {
        throw MediaError.tooLarge(size: maxBytes + 1, limit: maxBytes)
    } catch let error as HTTPClientError {
        throw MediaError.unavailable(redact(error.description))
    }
    guard response.isSuccess else { throw MediaError.unavailable("HTTP \(response.status)") }
    return response.body
}
