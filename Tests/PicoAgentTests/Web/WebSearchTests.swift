import PicoAgent
import PicoConfig
import PicoFakes
import Testing

/// `web_search` against loopback fakes speaking the Brave, Tavily and SearXNG JSON formats.
@Suite("web_search")
struct WebSearchTests {
    static let key = "brave-or-tavily-key-8c1f2e"

    func tool(_ provider: String, base: String) throws -> WebSearchTool {
        let config = WebToolsConfig(
            searchProvider: provider, searchAPIKey: Secret(Self.key), searchBaseURL: base,
            searchMaxResults: 3)
        return WebSearchTool(
            provider: try #require(WebSearchProvider(config: config)), maxResults: config.searchMaxResults)
    }

    func run(_ tool: WebSearchTool, _ args: String, secrets: [String] = [key]) async -> ToolResult {
        let redactor = SecretRedactor(secrets: secrets.map { Secret($0) })
        let registry = ToolRegistry(tools: [tool], redactor: redactor)
        return await registry.run(
            ToolCall(id: "s", name: "web_search", arguments: args),
            context: ToolContext(agentID: "main", sessionKey: testSession, channel: "cli", chatID: "d")
        ).0
    }

    @Test func braveResultsAreListed() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        server.setRoute(method: "GET", path: "/res/v1/web/search") { req in
            guard req.header("x-subscription-token") == Self.key else { return .text("no key", status: 401) }
            return .json([
                "query": ["original": .string(req.queryItems["q"] ?? "")],
                "web": [
                    "results": .array(
                        (1...5).map { i in
                            [
                                "title": .string("Swift <strong>\(i)</strong>"),
                                "url": .string("https://swift.org/\(i)"),
                                "description": .string("The <strong>Swift</strong> language, part \(i)"),
                            ]
                        })
                ],
            ])
        }
        let result = await run(
            try tool("brave", base: server.baseURL + "/res/v1/web/search"), #"{"query":"swift lang & more"}"#)
        #expect(!result.isError, "\(result.content)")
        #expect(result.content.contains("1. Swift 1\n   https://swift.org/1\n   The Swift language, part 1"))
        #expect(result.content.contains("3. Swift 3") && !result.content.contains("4. Swift 4"))
        #expect(result.content.contains("<<<UNTRUSTED_EXTERNAL_CONTENT>>>"))
        let req = try #require(server.requests.first)
        #expect(req.queryItems["q"] == "swift lang & more")
        #expect(req.queryItems["count"] == "3")
    }

    @Test func tavilyResultsAreListed() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        server.setRoute(method: "POST", path: "/search") { req in
            guard req.header("authorization") == "Bearer \(Self.key)" else { return .text("no key", status: 401) }
            let body = PicoFakes.JSONValue.parse(req.bodyString)
            return .json([
                "query": body?["query"] ?? .null,
                "results": [
                    [
                        "title": "Tavily hit", "url": "https://example.com/t", "content": "found it",
                        "score": .number(0.9),
                    ]
                ],
            ])
        }
        let result = await run(try tool("tavily", base: server.baseURL + "/search"), #"{"query":"agents","count":2}"#)
        #expect(result.content.contains("1. Tavily hit\n   https://example.com/t\n   found it"), "\(result.content)")
        let first = try #require(server.requests.first)
        let body = try #require(PicoFakes.JSONValue.parse(first.bodyString))
        #expect(body["query"]?.stringValue == "agents")
        #expect(body["max_results"] == .int(2))
    }

    @Test func searxngResultsAreListed() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        server.setRoute(method: "GET", path: "/searx/search") { req in
            guard req.queryItems["format"] == "json" else { return .text("html", status: 403) }
            return .json([
                "query": .string(req.queryItems["q"] ?? ""),
                "results": [
                    ["title": "Searx one", "url": "https://one.example", "content": "first", "engine": "ddg"],
                    ["title": "Searx two", "url": "https://two.example", "content": "second", "engine": "ddg"],
                ],
            ])
        }
        let result = await run(try tool("searxng", base: server.baseURL + "/searx/"), #"{"query":"picoclaw"}"#)
        #expect(result.content.contains("1. Searx one") && result.content.contains("2. Searx two"), "\(result.content)")
        #expect(server.requests.first?.header("x-subscription-token") == nil)
    }

    @Test func failuresAreClearAndNeverShowTheKey() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        server.setRoute(path: "/res/v1/web/search") { _ in .text("bad key \(Self.key)", status: 401) }
        let denied = await run(try tool("brave", base: server.baseURL + "/res/v1/web/search"), #"{"query":"x"}"#)
        #expect(denied.isError && denied.content.contains("HTTP 401") && denied.content.contains("api_key"))
        #expect(!denied.content.contains(Self.key))
        server.setRoute(path: "/garbage") { _ in .text("<html>not json</html>") }
        let garbage = await run(try tool("searxng", base: server.baseURL + "/garbage-base"), #"{"query":"x"}"#)
        #expect(garbage.isError)
        let empty = await run(try tool("brave", base: server.baseURL + "/res/v1/web/search"), #"{"query":"  "}"#)
        #expect(empty.isError && empty.content.contains("must not be empty"))
    }

    @Test func webSearchIsOffUntilConfigured() async throws {
        let home = TempDir(); defer { home.remove() }
        let off = try makeSystem(fakeConfig(home: home, apiBase: "http://127.0.0.1:9/v1"))
        #expect(!off.defaultAgent.tools.names.contains("web_search"))
        #expect(off.defaultAgent.tools.names.contains("web_fetch"))
        let base = fakeConfig(home: home, apiBase: "http://127.0.0.1:9/v1")
        let on = PicoConfiguration(
            agents: base.agents, providers: base.providers,
            tools: ToolsConfig(
                web: WebToolsConfig(fetchEnabled: false, searchProvider: "searxng", searchBaseURL: "http://127.0.0.1:9")
            ),
            picoclawHome: home.path)
        let system = try makeSystem(on)
        #expect(system.defaultAgent.tools.names.contains("web_search"))
        #expect(!system.defaultAgent.tools.names.contains("web_fetch"))
    }
}
