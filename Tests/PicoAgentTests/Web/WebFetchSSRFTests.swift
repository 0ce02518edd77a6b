import PicoAgent
import PicoFakes
import PicoHTTP
import Testing

/// The SSRF suite: the real `web_fetch` tool behind the real executor, attacked with every forbidden address form.
/// Proof is by effect: a loopback canary server must receive no request at all.
@Suite("web_fetch SSRF defence")
struct WebFetchSSRFTests {
    /// Forms of loopback, private, link-local, metadata and other internal destinations, as an attacker writes
    /// them. `PORT` is replaced by the canary's port.
    static let forbiddenURLs = [
        "http://127.0.0.1:PORT/", "http://2130706433:PORT/", "http://0x7f000001:PORT/", "http://017700000001:PORT/",
        "http://0177.0.0.1:PORT/", "http://0x7f.0.0.1:PORT/", "http://0x7F.0x00.0x00.0x01:PORT/", "http://127.1:PORT/",
        "http://127.0.1:PORT/", "http://0177.1:PORT/", "http://127.000.000.001:PORT/", "http://127.0.0.1.:PORT/",
        "http://[::1]:PORT/", "http://[0:0:0:0:0:0:0:1]:PORT/", "http://[::ffff:127.0.0.1]:PORT/",
        "http://[::ffff:7f00:1]:PORT/", "http://[0:0:0:0:0:ffff:127.0.0.1]:PORT/", "http://[::127.0.0.1]:PORT/",
        "http://[64:ff9b::127.0.0.1]:PORT/", "http://[2002:7f00:1::1]:PORT/", "http://[::ffff:0:127.0.0.1]:PORT/",
        "http://0.0.0.0:PORT/", "http://0:PORT/", "http://[::]:PORT/", "http://localhost:PORT/",
        "http://LOCALHOST.:PORT/", "http://app.localhost:PORT/", "HTTP://127.0.0.1:PORT/",
        "http://169.254.169.254/latest/meta-data/", "http://0xa9fea9fe/latest/meta-data/",
        "http://2852039166/latest/meta-data/", "http://metadata.google.internal/computeMetadata/v1/",
        "http://100.100.100.200/latest/meta-data/", "http://[fd00:ec2::254]/latest/meta-data/",
        "http://10.0.0.1/", "http://012.0.0.1/", "http://172.16.0.1/", "http://172.31.255.255/",
        "http://192.168.0.1/", "http://192.168.1.1:8080/admin", "http://100.64.0.1/", "http://[fe80::1]/",
        "http://[fc00::1]/", "http://[fd12:3456::1]/", "http://[fec0::1]/", "http://224.0.0.1/",
        "http://239.255.255.250:1900/", "http://255.255.255.255/", "http://240.0.0.1/", "http://[ff02::1]/",
        "http://198.18.0.1/", "http://192.0.0.1/", "https://[::ffff:a9fe:a9fe]/",
        // Names whose DNS answers are internal (the scripted resolver plays DNS).
        "http://internal.example:PORT/", "http://mixed.example:PORT/", "http://rebound.example:PORT/",
        "http://v6only.example:PORT/",
    ]

    static let resolverScript: [String: [[String]]] = [
        "internal.example": [["10.1.2.3"]],
        "mixed.example": [["93.184.216.34", "127.0.0.1"]],
        "rebound.example": [["127.0.0.1"]],
        "v6only.example": [["::1"]],
    ]

    @Test func everyForbiddenAddressFormIsRefusedWithoutAConnection() async throws {
        let canary = try await FakeHTTPServer.start()
        defer { Task { await canary.stop() } }
        canary.setRoute(
            path: "/", handler: { _ in .text("<html>canary reached</html>", headers: ["Content-Type": "text/html"]) })
        let harness = WebFetchHarness(resolver: ScriptedResolver(Self.resolverScript))
        for template in Self.forbiddenURLs {
            let url = template.replacing("PORT", with: String(canary.port))
            let (result, event) = await harness.fetch(url)
            #expect(result.isError, "\(url) was fetched: \(result.content)")
            #expect(!event.verdict.allowed, "\(url): verdict \(event.verdict)")
            #expect(result.content.contains("refused"), "\(url): \(result.content)")
            #expect(!result.content.contains("canary reached"))
        }
        #expect(canary.requests.isEmpty, "the canary was reached: \(canary.requests.map(\.path))")
    }

    @Test func otherSchemesAndUserInfoAreRefused() async throws {
        let canary = try await FakeHTTPServer.start()
        defer { Task { await canary.stop() } }
        let harness = WebFetchHarness(loopbackForTesting: true)
        let p = canary.port
        for url in [
            "file:///etc/passwd", "gopher://127.0.0.1:\(p)/", "ftp://127.0.0.1:\(p)/", "dict://127.0.0.1:\(p)/",
            "http://user:pw@127.0.0.1:\(p)/", "http://example.com@127.0.0.1:\(p)/", "//127.0.0.1:\(p)/",
            "http://127.0.0.1:\(p)\\@example.com/", "http://127.0.0.1:\(p)/ x", "http://%31%32%37.0.0.1:\(p)/",
            "http://1.2.3.4.5/", "http://256.0.0.1/", "http://0x1g.0.0.1/", "javascript:alert(1)",
        ] {
            let (result, event) = await harness.fetch(url)
            #expect(result.isError && !event.verdict.allowed, "\(url): \(result.content)")
        }
        #expect(canary.requests.isEmpty)
    }

    /// DNS rebinding: the first answer passes the check, the second would point at the metadata service. The tool
    /// resolves once and pins that answer (`rebind.test` does not exist in real DNS, so only the pin can connect).
    @Test func theCheckedAddressIsPinnedWhenDNSChanges() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        server.setRoute(
            path: "/page", handler: { _ in .text("<p>pinned page</p>", headers: ["Content-Type": "text/html"]) })
        let resolver = ScriptedResolver(["rebind.test": [["127.0.0.1"], ["169.254.169.254"]]])
        let harness = WebFetchHarness(loopbackForTesting: true, resolver: resolver)
        let (result, _) = await harness.fetch("http://rebind.test:\(server.port)/page")
        #expect(!result.isError, "\(result.content)")
        #expect(result.content.contains("pinned page"))
        #expect(resolver.lookups == ["rebind.test"])
        #expect(server.requests.first?.header("host") == "rebind.test:\(server.port)")
        // The pin stays with the web tools: an ordinary request to the same host and port is not steered by it.
        await #expect(throws: HTTPClientError.self) {
            _ = try await HTTPClient.shared.send(
                HTTPRequest(url: "http://rebind.test:\(server.port)/page", timeout: .seconds(5)))
        }
        #expect(server.requests.count == 1)
    }

    /// Each redirect hop is resolved and checked again: the second lookup of the same name turns internal.
    @Test func aRedirectHopIsCheckedAgainWhenDNSChanges() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        server.setRoute(path: "/start", handler: { _ in .text("moved", status: 302, headers: ["Location": "/final"]) })
        server.setRoute(path: "/final", handler: { _ in .text("final reached") })
        let resolver = ScriptedResolver(["rebind.test": [["127.0.0.1"], ["10.0.0.5"]]])
        let harness = WebFetchHarness(loopbackForTesting: true, resolver: resolver)
        let (result, event) = await harness.fetch("http://rebind.test:\(server.port)/start")
        #expect(result.isError && !event.verdict.allowed)
        #expect(result.content.contains("10.0.0.5"))
        #expect(resolver.lookups == ["rebind.test", "rebind.test"])
        #expect(server.requests.map(\.path) == ["/start"])
    }

    @Test func redirectsToInternalAddressesAreRefused() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let targets = [
            "http://169.254.169.254/latest/meta-data/iam/", "http://[::ffff:10.0.0.1]/", "http://0x0a000001/",
            "http://localhost/", "file:///etc/passwd", "http://internal.example/",
        ]
        for (i, target) in targets.enumerated() {
            server.setRoute(
                path: "/r\(i)", handler: { _ in .text("moved", status: 301, headers: ["Location": target]) })
        }
        let harness = WebFetchHarness(loopbackForTesting: true, resolver: ScriptedResolver(Self.resolverScript))
        for i in targets.indices {
            let (result, event) = await harness.fetch("http://127.0.0.1:\(server.port)/r\(i)")
            #expect(result.isError && !event.verdict.allowed, "\(targets[i]): \(result.content)")
        }
        #expect(server.requests.count == targets.count)
    }

    @Test func redirectsAreFollowedAtMostFiveTimes() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let harness = WebFetchHarness(loopbackForTesting: true)
        let (ok, _) = await harness.fetch("http://127.0.0.1:\(server.port)/redirect/5")
        #expect(!ok.isError, "\(ok.content)")
        #expect(ok.content.contains("5 redirect(s)"))
        let before = server.requests.count
        let (tooMany, _) = await harness.fetch("http://127.0.0.1:\(server.port)/redirect/8")
        #expect(tooMany.isError && tooMany.content.contains("more than 5 redirects"))
        #expect(server.requests.count - before == 6)
    }

    @Test func aHugeBodyIsCutOffAtTheCap() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 3 << 20)
        server.setRoute(
            path: "/huge", handler: { _ in FakeHTTPResponse(headers: ["Content-Type": "text/plain"], body: huge) })
        let harness = WebFetchHarness(loopbackForTesting: true)
        let (result, _) = await harness.fetch("http://127.0.0.1:\(server.port)/huge")
        #expect(result.isError && result.content.contains("2097152-byte limit"), "\(result.content.prefix(200))")
    }

    @Test func aNeverEndingBodyStopsAtTheSizeCapOrTheTimeCap() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let clock = ContinuousClock()
        let fast = WebFetchHarness(loopbackForTesting: true)
        var started = clock.now
        let (flood, _) = await fast.fetch("http://127.0.0.1:\(server.port)/endless")
        #expect(flood.isError && flood.content.contains("2097152-byte limit"), "\(flood.content.prefix(200))")
        #expect(started.duration(to: clock.now) < .seconds(10))

        let slow = WebFetchHarness(loopbackForTesting: true, limits: WebFetchLimits(timeout: .seconds(2)))
        started = clock.now
        let (drip, _) = await slow.fetch("http://127.0.0.1:\(server.port)/endless?chunk=1&delay_ms=50")
        let took = started.duration(to: clock.now)
        #expect(drip.isError && drip.content.contains("timed out"), "\(drip.content.prefix(200))")
        // Ended by the 2 s cap: never before it, and soon after it (a quiet machine's 6 s, stretched for a loaded one;
        // without the cap the endless body would never end).
        #expect(took >= .milliseconds(1500) && took < Patience.bound(.seconds(6)), "took \(took)")
    }

    @Test func onlyTextContentTypesAreRead() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        server.setRoute(
            path: "/img",
            handler: { _ in FakeHTTPResponse(headers: ["Content-Type": "image/png"], body: [0x89, 0x50, 0, 1]) })
        let harness = WebFetchHarness(loopbackForTesting: true)
        for path in ["/bytes/5000", "/img"] {
            let (result, _) = await harness.fetch("http://127.0.0.1:\(server.port)\(path)")
            #expect(result.isError && result.content.contains("is not text"), "\(path): \(result.content)")
        }
    }

    @Test func operatorHostListsApply() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let resolver = ScriptedResolver([
            "ok.test": [["127.0.0.1"]], "docs.blocked.test": [["127.0.0.1"]], "other.test": [["127.0.0.1"]],
        ])
        let denied = WebFetchHarness(loopbackForTesting: true, resolver: resolver, denyHosts: ["*.blocked.test"])
        let (d, dEvent) = await denied.fetch("http://docs.blocked.test:\(server.port)/echo")
        #expect(d.isError && dEvent.verdict.rule == "web:deny_hosts")
        let allowOnly = WebFetchHarness(loopbackForTesting: true, resolver: resolver, allowHosts: ["ok.test"])
        let (o, oEvent) = await allowOnly.fetch("http://other.test:\(server.port)/echo")
        #expect(o.isError && oEvent.verdict.rule == "web:allow_hosts")
        let (ok, _) = await allowOnly.fetch("http://ok.test:\(server.port)/echo")
        #expect(!ok.isError, "\(ok.content)")
        #expect(server.requests.count == 1)
    }

    @Test func theLoopbackTestSwitchLiftsNothingElse() async throws {
        let harness = WebFetchHarness(loopbackForTesting: true)
        for url in ["http://10.0.0.1/", "http://169.254.169.254/", "http://[fc00::1]/", "http://0.0.0.0/"] {
            let (result, _) = await harness.fetch(url)
            #expect(result.isError && result.content.contains("refused"), "\(url)")
        }
    }
}
