/// One server-sent event (`event:` name, `data:` lines joined by newlines).
struct SSEEvent: Sendable, Equatable {
    var event: String
    var data: String
}

/// Incremental `text/event-stream` parser: feed it bytes as they arrive, get complete events back.
/// Lines end in LF, CRLF or CR; comments (`:`) and unknown fields are ignored; an event without `event:` is
/// `message`. Bytes of an incomplete line (even a split UTF-8 sequence) wait for the next chunk.
struct SSEParser: Sendable {
    private var pending: [UInt8] = []
    private var event = ""
    private var data: [String] = []
    private var lastWasCR = false

    /// Parses `bytes`; returns the events they completed.
    mutating func feed(_ bytes: [UInt8]) -> [SSEEvent] {
        var out: [SSEEvent] = []
        for b in bytes {
            if lastWasCR {
                lastWasCR = false
                if b == 0x0A { continue }  // CRLF: the line already ended at CR
            }
            if b == 0x0A || b == 0x0D {
                lastWasCR = b == 0x0D
                if let e = line(String(decoding: pending, as: UTF8.self)) { out.append(e) }
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(b)
            }
        }
        return out
    }

    /// The event a final unterminated line completes, if any (at the end of the body).
    mutating func finish() -> SSEEvent? {
        var result: SSEEvent?
        if !pending.isEmpty {
            result = line(String(decoding: pending, as: UTF8.self))
            pending.removeAll()
        }
        return result ?? line("")
    }

    private mutating func line(_ text: String) -> SSEEvent? {
        if text.isEmpty {
            defer { event = ""; data.removeAll() }
            return data.isEmpty
                ? nil : SSEEvent(event: event.isEmpty ? "message" : event, data: data.joined(separator: "\n"))
        }
        if text.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = Substring(text)
            value = ""
        }
        switch field {
        case "data": data.append(String(value))
        case "event": event = String(value)
        default: break
        }
        return nil
    }
}
