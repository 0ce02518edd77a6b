import Glibc
import PicoFakes
import PicoHTTP
import Testing

@Suite("HTTPClient over libcurl against a loopback server")
struct HTTPClientTests {
    let client = HTTPClient.shared

    @Test func getReturnsStatusHeadersAndBody() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let ok = try await client.send(HTTPRequest(url: server.baseURL + "/bytes/5"))
        #expect(ok.status == 200)
        #expect(ok.text == "aaaaa")
        for code in [204, 404, 429, 500, 503] {
            let r = try await client.send(HTTPRequest(url: server.baseURL + "/status/\(code)"))
            #expect(r.status == code)
        }
        let h = try await client.send(HTTPRequest(url: server.baseURL + "/headers?X-Test-Header=yes"))
        #expect(h.header("x-test-header") == "yes")
        #expect(h.header("X-TEST-HEADER") == "yes")
    }

    @Test func postSendsBodyAndHeaders() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let body = Array(#"{"text":"héllo"}"#.utf8)
        let r = try await client.send(
            .postJSON(
                server.baseURL + "/echo?x=1", body: body,
                headers: [HTTPHeader("Authorization", "Bearer k-123")]))
        #expect(r.status == 200)
        let seen = try await server.waitForRequests(count: 1)[0]
        #expect(seen.method == "POST")
        #expect(seen.body == body)
        #expect(seen.header("authorization") == "Bearer k-123")
        #expect(seen.header("content-type") == "application/json")
        #expect(seen.header("user-agent") == "picoclaw")
        #expect(seen.query == "x=1")
    }

    /// Each transfer's send buffer is 16 KiB (`CURLOPT_UPLOAD_BUFFERSIZE`): a body many times that size, such as a
    /// long conversation sent to the model, still arrives whole and in order.
    @Test func bodiesLargerThanTheSendBufferArriveWhole() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let body = (0..<(1 << 20) + 123).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let r = try await client.send(.postJSON(server.baseURL + "/echo", body: body))
        #expect(r.status == 200)
        let seen = try await server.waitForRequests(count: 1)[0]
        #expect(seen.body.count == body.count)
        #expect(seen.body == body)
    }

    @Test func otherMethodsAreSent() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        _ = try await client.send(HTTPRequest(method: "DELETE", url: server.baseURL + "/echo"))
        _ = try await client.send(HTTPRequest(method: "PUT", url: server.baseURL + "/echo", body: [1, 2, 3]))
        let seen = try await server.waitForRequests(count: 2)
        #expect(seen.map(\.method) == ["DELETE", "PUT"])
        #expect(seen[1].body == [1, 2, 3])
    }

    @Test func bodiesOverTheCapFail() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let fits = try await client.send(HTTPRequest(url: server.baseURL + "/bytes/1048576", maxResponseBytes: 1 << 20))
        #expect(fits.body.count == 1 << 20)
        await #expect(throws: HTTPClientError.responseTooLarge(limit: 1000)) {
            _ = try await client.send(HTTPRequest(url: server.baseURL + "/bytes/5000", maxResponseBytes: 1000))
        }
        // Without Content-Length (chunked), the write callback stops it.
        server.setRoute(path: "/chunked") { _ in
            FakeHTTPResponse(status: 200, body: [UInt8](repeating: 65, count: 200_000))
        }
        await #expect(throws: HTTPClientError.responseTooLarge(limit: 10_000)) {
            _ = try await client.send(HTTPRequest(url: server.baseURL + "/chunked", maxResponseBytes: 10_000))
        }
    }

    @Test func slowResponsesHitTheTimeout() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        await #expect(throws: HTTPClientError.timedOut) {
            _ = try await client.send(HTTPRequest(url: server.baseURL + "/slow/3000", timeout: .milliseconds(300)))
        }
    }

    @Test func cancellationAbortsTheTransfer() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let task = Task { try await client.send(HTTPRequest(url: server.baseURL + "/hang", timeout: .seconds(60))) }
        _ = try await server.waitForRequests(count: 1)
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
    }

    @Test func cancelledBeforeStartNeverSends() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.send(HTTPRequest(url: server.baseURL + "/echo"))
        }
        await #expect(throws: CancellationError.self) { _ = try await task.value }
    }

    @Test func longPollsDoNotStarveOtherRequests() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        // More hanging requests than the cooperative pool has threads (2 here).
        let polls = (0..<6).map { _ in
            Task { try await client.send(HTTPRequest(url: server.baseURL + "/hang", timeout: .seconds(60))) }
        }
        _ = try await server.waitForRequests(count: 6)
        let quick = try await client.send(HTTPRequest(url: server.baseURL + "/bytes/3"))
        #expect(quick.text == "aaa")
        for p in polls { p.cancel() }
        for p in polls { _ = try? await p.value }
    }

    @Test func manyConcurrentRequests() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let bodies = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 1...30 {
                group.addTask { try await client.send(HTTPRequest(url: server.baseURL + "/bytes/\(i)")).body.count }
            }
            var sizes: [Int] = []
            for try await n in group { sizes.append(n) }
            return sizes.sorted()
        }
        #expect(bodies == Array(1...30))
    }

    @Test func redirectsAreFollowedUpToTheLimit() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let r = try await client.send(HTTPRequest(url: server.baseURL + "/redirect/3", maxRedirects: 3))
        #expect(r.status == 200)
        #expect(r.text.contains("\"path\":\"/echo\"") || r.text.contains("/echo"))
        await #expect(throws: HTTPClientError.tooManyRedirects) {
            _ = try await client.send(HTTPRequest(url: server.baseURL + "/redirect/5", maxRedirects: 2))
        }
        let unfollowed = try await client.send(HTTPRequest(url: server.baseURL + "/redirect/1", maxRedirects: 0))
        #expect(unfollowed.status == 302)
    }

    @Test func refusedConnectionIsAClearErrorWithoutTheURL() async throws {
        let refusing = RefusingLoopbackPort()
        defer { withExtendedLifetime(refusing) {} }
        let port = refusing.port
        do {
            _ = try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/bot123456:SECRET-TOKEN/getMe"))
            Issue.record("expected a connection failure")
        } catch let error as HTTPClientError {
            guard case .connectionFailed = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(error.isTransient)
            #expect(!error.description.contains("SECRET-TOKEN"))
        }
    }

    @Test func droppedConnectionIsReported() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        do {
            _ = try await client.send(HTTPRequest(url: server.baseURL + "/drop"))
            Issue.record("expected a failure")
        } catch let error as HTTPClientError {
            #expect(error.isTransient)
        }
    }

    @Test func onlyHTTPSchemesAreAccepted() async throws {
        for url in ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/", "not a url"] {
            await #expect(throws: HTTPClientError.invalidURL) { _ = try await client.send(HTTPRequest(url: url)) }
        }
        // A redirect to file:// is refused too.
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        server.setRoute(path: "/to-file") { _ in
            .text("moved", status: 302, headers: ["Location": "file:///etc/passwd"])
        }
        do {
            let r = try await client.send(HTTPRequest(url: server.baseURL + "/to-file"))
            Issue.record("redirect to file:// was followed: \(r.status)")
        } catch {}
    }
}
