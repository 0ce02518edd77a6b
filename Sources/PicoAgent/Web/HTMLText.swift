import CLibXML2

/// Turns an HTML document into readable plain text with libxml2's HTML parser (error-tolerant, no network access;
/// the library is loaded on first use):
/// the title first, block elements on their own lines, list items as `- `, headings as `#`, absolute link targets
/// in brackets; scripts, styles, forms' hidden parts and other non-content elements dropped.
public enum HTMLText {
    private static let skipped: Set<String> = [
        "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "head", "select",
        "button", "input", "textarea",
    ]
    private static let blocks: Set<String> = [
        "p", "div", "br", "li", "tr", "section", "article", "header", "footer", "blockquote", "pre", "table", "ul",
        "ol", "dl", "dt", "dd", "hr", "form", "main", "nav", "aside", "figure", "figcaption", "h1", "h2", "h3", "h4",
        "h5", "h6", "body", "html", "address", "details", "summary",
    ]

    /// Whether libxml2 (`libxml2.so.2`) could be loaded.
    public static var isAvailable: Bool { pico_xml_available() != 0 }

    /// The text of `html`; `charset` is the HTTP `Content-Type` charset, if any (else libxml2 detects it).
    /// `nil` when libxml2 is not installed.
    public static func text(of html: [UInt8], charset: String? = nil) -> String? {
        guard isAvailable else { return nil }
        guard !html.isEmpty else { return "" }
        let options = Int32(
            PICO_HTML_PARSE_RECOVER | PICO_HTML_PARSE_NOERROR
                | PICO_HTML_PARSE_NOWARNING | PICO_HTML_PARSE_NONET | PICO_HTML_PARSE_COMPACT)
        let doc = html.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { chars in
                pico_html_read_memory(chars.baseAddress, Int32(min(buf.count, Int(Int32.max))), charset, options)
            }
        }
        guard let doc else { return "" }
        defer { pico_xml_free_doc(doc) }
        guard let root = pico_xml_root(doc) else { return "" }
        var out = TextBuilder()
        if let title = findTitle(root), !title.isEmpty { out.line("Title: " + title); out.blankLine() }
        walk(root, into: &out)
        return out.finish()
    }

    private static func name(_ node: UnsafeMutablePointer<pico_xml_node>) -> String {
        guard let n = node.pointee.name else { return "" }
        return String(cString: n).lowercased()
    }

    private static func content(_ node: UnsafeMutablePointer<pico_xml_node>) -> String {
        guard let c = node.pointee.content else { return "" }
        return String(cString: c)
    }

    private static func attribute(_ node: UnsafeMutablePointer<pico_xml_node>, _ wanted: String) -> String? {
        var attr = node.pointee.properties
        while let a = attr {
            if let n = a.pointee.name, String(cString: n).lowercased() == wanted {
                var text = ""
                var child = a.pointee.children
                while let c = child { text += content(c); child = c.pointee.next }
                return text
            }
            attr = a.pointee.next
        }
        return nil
    }

    private static func findTitle(_ root: UnsafeMutablePointer<pico_xml_node>) -> String? {
        var stack: [UnsafeMutablePointer<pico_xml_node>] = [root]
        while let node = stack.popLast() {
            if node.pointee.type == Int32(PICO_XML_ELEMENT_NODE) && name(node) == "title" {
                var text = ""
                var child = node.pointee.children
                while let c = child { text += content(c); child = c.pointee.next }
                return collapse(text)
            }
            var child = node.pointee.children
            var kids: [UnsafeMutablePointer<pico_xml_node>] = []
            while let c = child { kids.append(c); child = c.pointee.next }
            stack.append(contentsOf: kids.reversed())
        }
        return nil
    }

    /// Depth-first walk with an explicit stack (no recursion, whatever the nesting).
    private static func walk(_ root: UnsafeMutablePointer<pico_xml_node>, into out: inout TextBuilder) {
        enum Step { case enter(UnsafeMutablePointer<pico_xml_node>), exit(String, UnsafeMutablePointer<pico_xml_node>) }
        var stack: [Step] = [.enter(root)]
        var preDepth = 0
        while let step = stack.popLast() {
            switch step {
            case .enter(let node):
                switch node.pointee.type {
                case Int32(PICO_XML_TEXT_NODE), Int32(PICO_XML_CDATA_SECTION_NODE):
                    out.text(content(node), preformatted: preDepth > 0)
                case Int32(PICO_XML_ELEMENT_NODE):
                    let tag = name(node)
                    if skipped.contains(tag) { continue }
                    if blocks.contains(tag) { out.blankLineIfNeeded(tag) }
                    if tag.count == 2, tag.first == "h", let level = Int(String(tag.last!)), (1...6).contains(level) {
                        out.raw(String(repeating: "#", count: level) + " ")
                    } else if tag == "li" {
                        out.raw("- ")
                    } else if tag == "pre" {
                        preDepth += 1
                    } else if tag == "td" || tag == "th" {
                        out.raw(" | ")
                    }
                    stack.append(.exit(tag, node))
                    var kids: [UnsafeMutablePointer<pico_xml_node>] = []
                    var child = node.pointee.children
                    while let c = child { kids.append(c); child = c.pointee.next }
                    for k in kids.reversed() { stack.append(.enter(k)) }
                default:
                    continue
                }
            case .exit(let tag, let node):
                if tag == "pre" { preDepth -= 1 }
                if tag == "a", let href = attribute(node, "href")?.trimmedSpaces,
                    href.lowercased().hasPrefix("http://") || href.lowercased().hasPrefix("https://")
                {
                    out.raw(" [\(TextLimits.truncate(href, to: 300))]")
                }
                if blocks.contains(tag) { out.newline() }
            }
        }
    }

    /// `s` without `<…>` tags (search snippets carry `<strong>` highlighting), entities left as they are.
    static func stripTags(_ s: String) -> String {
        var out = ""
        var inTag = false
        for c in s {
            if c == "<" { inTag = true } else if c == ">" && inTag { inTag = false } else if !inTag { out.append(c) }
        }
        return out
    }

    static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

/// Accumulates text with collapsed whitespace and at most one blank line in a row.
private struct TextBuilder {
    private var out = ""
    private var pendingSpace = false

    mutating func text(_ s: String, preformatted: Bool) {
        if preformatted { out += s; pendingSpace = false; return }
        let startsWithSpace = s.first?.isWhitespace ?? false
        let endsWithSpace = s.last?.isWhitespace ?? false
        let collapsed = HTMLText.collapse(s)
        if collapsed.isEmpty {
            if !s.isEmpty { pendingSpace = true }
            return
        }
        if pendingSpace || startsWithSpace, let last = out.last, !last.isWhitespace { out += " " }
        out += collapsed
        pendingSpace = endsWithSpace
    }

    mutating func raw(_ s: String) { out += s; pendingSpace = false }

    mutating func line(_ s: String) { out += s; newline() }

    mutating func newline() {
        while out.last == " " { out.removeLast() }
        if !out.isEmpty && !out.hasSuffix("\n") { out += "\n" }
        pendingSpace = false
    }

    mutating func blankLine() { newline(); if !out.hasSuffix("\n\n") && !out.isEmpty { out += "\n" } }

    mutating func blankLineIfNeeded(_ tag: String) {
        if ["p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "pre", "blockquote", "section", "article"].contains(tag) {
            blankLine()
        } else {
            newline()
        }
    }

    func finish() -> String {
        var lines: [Substring] = []
        var blank = 0
        for line in out.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            if trimmed.trimmingSuffixSpaces.isEmpty {
                blank += 1
                if blank == 1 && !lines.isEmpty { lines.append("") }
            } else {
                blank = 0
                lines.append(line)
            }
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}

private extension Substring {
    var trimmingSuffixSpaces: Substring {
        var s = self
        while s.last?.isWhitespace == true { s.removeLast() }
        return s
    }
}
