import CCurl
import PicoSystem
import Synchronization

/// One HTTP exchange owned by the driver thread after hand-off. Only the driver touches the mutable
/// state; other threads only flip `cancelled` and wake the driver.
final class CurlTransfer: @unchecked Sendable {
    let easy: CurlEasy
    let maxResponseBytes: Int
    private(set) var body: [UInt8] = []
    private var headerLines: [String] = []
    private(set) var exceededLimit = false
    private let allowedContentTypes: [String]?
    private var contentTypeChecked = false
    /// Set when a 2xx body's content type was refused (the write callback aborted the transfer).
    private(set) var refusedContentType: String?
    private var resolveList: UnsafeMutablePointer<curl_slist>?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer: UnsafeMutablePointer<CChar>
    var continuation: CheckedContinuation<HTTPResponse, any Error>?
    let cancelled = Atomic<Bool>(false)
    /// Receives the body of a 2xx response as it arrives instead of collecting it (see `HTTPClient.send(_:onBody:)`).
    var onBody: (@Sendable ([UInt8]) -> Void)?
    private var streaming: Bool?
    private var streamedBytes = 0

    init(_ request: HTTPRequest) throws(HTTPClientError) {
        guard request.url.hasPrefix("http://") || request.url.hasPrefix("https://") else { throw .invalidURL }
        easy = try CurlEasy()
        maxResponseBytes = request.maxResponseBytes
        allowedContentTypes = request.allowedContentTypes.map { $0.map { $0.lowercased() } }
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        easy.set(CURLOPT_URL, request.url)
        easy.applyCommon(
            protocols: "http,https", connectTimeout: request.connectTimeout, proxy: request.proxy,
            errorBuffer: errorBuffer)
        easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        easy.set(CURLOPT_TIMEOUT_MS, request.timeout.clampedMilliseconds)
        easy.set(CURLOPT_FOLLOWLOCATION, request.maxRedirects > 0 ? 1 : 0)
        easy.set(CURLOPT_MAXREDIRS, request.maxRedirects)
        easy.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        easy.set(CURLOPT_ACCEPT_ENCODING, "")
        _ = pico_easy_setopt_off(easy.handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxResponseBytes))
        if !request.headers.contains(where: { $0.name.lowercased() == "user-agent" }) {
            easy.set(CURLOPT_USERAGENT, "picoclaw")
        }

        switch request.method.uppercased() {
        case "GET": easy.set(CURLOPT_HTTPGET, 1)
        case "HEAD": easy.set(CURLOPT_NOBODY, 1)
        case "POST": easy.set(CURLOPT_POST, 1)
        default: easy.set(CURLOPT_CUSTOMREQUEST, request.method.uppercased())
        }
        if let body = request.body {
            _ = pico_easy_setopt_off(easy.handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            _ = body.withUnsafeBytes {
                easy.set(CURLOPT_COPYPOSTFIELDS, pointer: $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1))
            }
        }
        // An empty Expect stops curl from waiting for "100 Continue" on larger POST bodies.
        headerList = makeHeaderList(request.headers + [HTTPHeader("Expect", "")])
        if let headerList { easy.set(CURLOPT_HTTPHEADER, pointer: headerList) }
        for entry in request.resolve { resolveList = curl_slist_append(resolveList, entry) }
        if let resolveList { easy.set(CURLOPT_RESOLVE, pointer: resolveList) }
        if request.isolatedDNS {
            // Its own DNS cache, a fresh connection, and no connection left behind for other transfers to reuse.
            easy.set(CURLOPT_SHARE, pointer: IsolatedDNSCache.shared.handle)
            easy.set(CURLOPT_FRESH_CONNECT, 1)
            easy.set(CURLOPT_FORBID_REUSE, 1)
        }

        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = pico_easy_setopt_data_cb(easy.handle, CURLOPT_WRITEFUNCTION, curlWriteBody)
        easy.set(CURLOPT_WRITEDATA, pointer: me)
        _ = pico_easy_setopt_data_cb(easy.handle, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        easy.set(CURLOPT_HEADERDATA, pointer: me)
    }

    deinit {
        easy.cleanup()
        if let headerList { curl_slist_free_all(headerList) }
        if let resolveList { curl_slist_free_all(resolveList) }
        errorBuffer.deallocate()
    }

    /// Called from the write callback on the driver thread. Returns false to abort (over the cap).
    fileprivate func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if !contentTypeChecked {
            contentTypeChecked = true
            if let refused = refusedType() {
                refusedContentType = refused
                return false
            }
        }
        if let onBody {
            if streaming == nil { streaming = (200..<300).contains(easy.infoLong(CURLINFO_RESPONSE_CODE)) }
            if streaming == true {
                streamedBytes += bytes.count
                guard streamedBytes <= maxResponseBytes else {
                    exceededLimit = true
                    return false
                }
                onBody(Array(bytes))
                return true
            }
        }
        if body.count + bytes.count > maxResponseBytes {
            exceededLimit = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    fileprivate func appendHeaderLine(_ line: String) {
        // A new status line starts a new response (after a redirect or a 1xx): keep only the final headers.
        if line.hasPrefix("HTTP/") { headerLines.removeAll(keepingCapacity: true) } else { headerLines.append(line) }
    }

    var errorMessage: String { String(cString: errorBuffer) }

    /// The media type of a 2xx response when `allowedContentTypes` does not contain it (`nil`: accepted).
    private func refusedType() -> String? {
        guard let allowed = allowedContentTypes, (200..<300).contains(easy.infoLong(CURLINFO_RESPONSE_CODE)) else {
            return nil
        }
        let value =
            headerLines.last { $0.lowercased().hasPrefix("content-type:") }
            .map { String($0.dropFirst("content-type:".count)) } ?? ""
        let media = String(value.split(separator: ";").first ?? "").trimming(" \t").lowercased()
        return allowed.contains(media) ? nil : (media.isEmpty ? "(none)" : media)
    }

    /// The finished response (driver thread only).
    func makeResponse() -> HTTPResponse {
        var headers: [HTTPHeader] = []
        for line in headerLines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]).trimming(" \t")
            let value = String(line[line.index(after: colon)...]).trimming(" \t")
            if !name.isEmpty { headers.append(HTTPHeader(name, value)) }
        }
        return HTTPResponse(status: easy.infoLong(CURLINFO_RESPONSE_CODE), headers: headers, body: body)
    }
}

/// A DNS cache apart from the multi handle's (used only on the driver thread, so it needs no locks).
final class IsolatedDNSCache: @unchecked Sendable {
    static let shared = IsolatedDNSCache()
    let handle: UnsafeMutableRawPointer

    private init() {
        _ = CurlDriver.shared  // curl_global_init first
        guard let h = curl_share_init() else { fatalError("curl_share_init failed") }
        _ = pico_share_setopt_long(h, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_DNS.rawValue))
        handle = h
    }
}

private func curlWriteBody(
    _ ptr: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
    _ user: UnsafeMutableRawPointer?
) -> Int {
    guard let ptr, let user else { return 0 }
    let n = size * count
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.appendBody(UnsafeRawBufferPointer(start: ptr, count: n)) ? n : 0
}

private func curlWriteHeader(
    _ ptr: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
    _ user: UnsafeMutableRawPointer?
) -> Int {
    guard let ptr, let user else { return 0 }
    let n = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: n), as: UTF8.self)
        .trimming("\r\n")
    Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue().appendHeaderLine(line)
    return n
}
