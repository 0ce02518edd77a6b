import Glibc
import PicoFakes
import Testing

/// `Docs/security.md` documents every audit check id the code can emit, and every checklist item.
@Suite("security audit: documentation")
struct SecurityAuditDocsTests {
    /// The repository root: this file is `<root>/Tests/PicoAuditTests/SecurityAuditDocsTests.swift`.
    static let repositoryRoot: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    /// `id: "..."` literals in Sources/PicoAudit (ids built with a channel name are expanded).
    static func checkIDs() -> Set<String> {
        let dir = repositoryRoot + "/Sources/PicoAudit"
        var ids = Set<String>()
        TempDir.walk(dir) { path in
            guard path.hasSuffix(".swift"), let text = TempDir.readFile(path) else { return }
            var rest = Substring(text)
            while let r = rest.firstRange(of: "id: \"") {
                rest = rest[r.upperBound...]
                guard let end = rest.firstIndex(of: "\"") else { break }
                let literal = String(rest[..<end])
                rest = rest[end...]
                if literal.contains("\\(name)") {
                    for channel in ["telegram", "discord"] { ids.insert(literal.replacing("\\(name)", with: channel)) }
                } else if literal.contains("\\(") {
                    continue
                } else {
                    ids.insert(literal)
                }
            }
            // `id: world ? "a" : "b"`
            var scan = Substring(text)
            while let r = scan.firstRange(of: "id: world ? \"") {
                scan = scan[r.upperBound...]
                let parts = scan.prefix(while: { $0 != "," }).split(separator: "\"")
                if parts.count >= 3 { ids.insert(String(parts[0])); ids.insert(String(parts[2])) }
            }
        }
        return ids
    }

    @Test("every check id appears in Docs/security.md")
    func everyIDDocumented() throws {
        let doc = try #require(
            TempDir.readFile(Self.repositoryRoot + "/Docs/security.md"), "Docs/security.md is missing")
        let ids = Self.checkIDs()
        #expect(ids.count >= 30, "found \(ids.sorted())")
        for id in ids.sorted() {
            #expect(doc.contains("`\(id)`"), "Docs/security.md does not document \(id)")
        }
    }
}
