import Testing
@testable import PicoConfig

@Suite struct DocumentationTests {
    /// Docs/configuration.md must list every env name of the schema (and the control variables).
    @Test func docListsEveryEnvName() throws {
        let testFile = #filePath
        let root = testFile.components(separatedBy: "/Tests/")[0]
        let doc = try #require(readText(root + "/Docs/configuration.md"))
        for key in ConfigSchema.keys() {
            #expect(doc.contains(key.envName), "\(key.envName) missing from Docs/configuration.md")
            #expect(
                doc.contains("`\(ConfigSchema.template(of: key.path))`") || doc.contains("`\(key.path)`"), "\(key.path)"
            )
        }
        for name in ConfigSchema.controlVariables {
            #expect(doc.contains(name))
        }
        #expect(doc.contains("PICOCLAW_PROVIDERS_OPENROUTER_API_KEY_FILE=/run/secrets/openrouter_key"))
    }

    private func readText(_ path: String) -> String? {
        guard case .success(let bytes) = POSIXFile.read(path, limit: 1 << 20) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    func components(separatedBy separator: String) -> [String] {
        split(separator: separator, omittingEmptySubsequences: false).map(String.init)
    }
}
