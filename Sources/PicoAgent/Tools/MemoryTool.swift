/// `memory{action, text?, old_text?}`: adds, replaces or removes a long-term note. The notes are shown in the system
/// prompt of later turns (of the same sender, in `sender` scope). Limited to the store's `maxBytes`.
public struct MemoryTool: Tool {
    let store: MemoryStore

    public init(store: MemoryStore) { self.store = store }

    public var definition: ToolDefinition {
        let whose = store.scope == .sender ? "the current user's" : "this agent's"
        return ToolDefinition(
            name: "memory",
            description:
                "Edit \(whose) long-term memory, shown to you under '# Memory' in later conversations. action=add saves `text` as a new note; action=replace swaps the one note containing `old_text` for `text`; action=remove deletes the one note containing `old_text`. Keep notes short; memory holds at most \(store.maxBytes) bytes.",
            parameters: ToolSchema.object(
                [
                    ("action", "string", "add, replace or remove"),
                    ("text", "string", "The note to save (add, replace)"),
                    ("old_text", "string", "A unique part of the note to change (replace, remove)"),
                ], required: ["action"]))
    }

    public func execute(_ arguments: ToolArguments, context: ToolContext) async throws -> ToolOutput {
        let action = try arguments.string("action").trimmedSpaces.lowercased()
        func note(_ key: String) throws(ToolArgumentError) -> String {
            let value = TextLimits.singleLine(try arguments.optionalString(key) ?? "").trimmedSpaces
            guard !value.isEmpty else { throw ToolArgumentError("action \(action) needs a non-empty '\(key)'") }
            return value
        }
        let edit: MemoryEdit
        switch action {
        case "add": edit = .add(try note("text"))
        case "replace": edit = .replace(old: try note("old_text"), new: try note("text"))
        case "remove": edit = .remove(try note("old_text"))
        default:
            throw ToolArgumentError(
                "action must be add, replace or remove, got '\(TextLimits.truncate(action, to: 20))'")
        }
        do {
            return .success(
                try await store.apply(
                    edit, channel: context.channel, chatID: context.chatID,
                    senderID: context.senderID))
        } catch {
            return .failure(error.description)
        }
    }
}
