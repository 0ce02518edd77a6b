import PicoPolicy

/// Maps a workspace refusal to the verdict recorded in the audit trail.
func workspaceVerdict(for error: any Error) -> ToolVerdict {
    guard let e = error as? WorkspaceError else { return .allowed }
    switch e {
    case .outsideWorkspace: return .denied(rule: "workspace.outside")
    case .symlinkEscape: return .denied(rule: "workspace.symlink-escape")
    case .hardLinked: return .denied(rule: "workspace.hard-link")
    case .notRegularFile: return .denied(rule: "workspace.not-regular-file")
    case .invalidPath: return .denied(rule: "workspace.invalid-path")
    default: return .allowed
    }
}

/// Runs a workspace operation, turning `WorkspaceError` into an error result that names the path.
func workspaceOperation(_ body: () throws -> String) -> ToolOutput {
    do {
        return .success(try body())
    } catch {
        return .failure(String(describing: error), verdict: workspaceVerdict(for: error))
    }
}

/// `read_file{path, offset?, length?}`: a UTF-8 text file (or part of one) from the workspace.
public struct ReadFileTool: Tool {
    let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    public var definition: ToolDefinition {
        ToolDefinition(
            name: "read_file",
            description:
                "Read a text file from the workspace. Large files are returned in parts: use offset and length (bytes) to read more.",
            parameters: ToolSchema.object(
                [
                    ("path", "string", "File path, relative to the workspace"),
                    ("offset", "integer", "Byte offset to start reading at (default 0)"),
                    ("length", "integer", "Number of bytes to read (default: up to the read limit)"),
                ], required: ["path"]))
    }

    public func execute(_ arguments: ToolArguments, context: ToolContext) async throws -> ToolOutput {
        let path = try arguments.string("path")
        let offset = try arguments.optionalInt("offset") ?? 0
        let length = try arguments.optionalInt("length")
        return workspaceOperation {
            let r = try workspace.read(path, offset: offset, length: length)
            var text = r.text
            if r.truncated {
                let end = r.offset + r.data.count
                text += "\n[truncated: showed bytes \(r.offset)–\(end) of \(r.fileSize); read more with offset=\(end)]"
            }
            return text
        }
    }
}

/// `write_file{path, content}`: create or replace a file (atomically).
public struct WriteFileTool: Tool {
    let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    public var definition: ToolDefinition {
        ToolDefinition(
            name: "write_file",
            description:
                "Create or overwrite a file in the workspace with the given content. Missing parent directories are created.",
            parameters: ToolSchema.object(
                [
                    ("path", "string", "File path, relative to the workspace"),
                    ("content", "string", "The complete new file content"),
                ], required: ["path", "content"]))
    }

    public func execute(_ arguments: ToolArguments, context: ToolContext) async throws -> ToolOutput {
        let path = try arguments.string("path")
        let content = try arguments.string("content")
        return workspaceOperation {
            try workspace.write(path, contents: content)
            return "File written: \(path) (\(content.utf8.count) bytes)"
        }
    }
}

/// `edit_file{path, old_text, new_text}`: replace exactly one occurrence of `old_text`.
public struct EditFileTool: Tool {
    let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    public var definition: ToolDefinition {
        ToolDefinition(
            name: "edit_file",
            description:
                "Edit a file in the workspace by replacing old_text with new_text. old_text must occur exactly once; include enough context to make it unique.",
            parameters: ToolSchema.object(
                [
                    ("path", "string", "File path, relative to the workspace"),
                    ("old_text", "string", "The exact text to replace"),
                    ("new_text", "string", "The replacement text"),
                ], required: ["path", "old_text", "new_text"]))
    }

    public func execute(_ arguments: ToolArguments, context: ToolContext) async throws -> ToolOutput {
        let path = try arguments.string("path")
        let oldText = try arguments.string("old_text")
        let newText = try arguments.string("new_text")
        return workspaceOperation {
            try workspace.edit(path, oldText: oldText, newText: newText)
            return "File edited: \(path)"
        }
    }
}

/// `append_file{path, content}`: append to a file, creating it when missing.
public struct AppendFileTool: Tool {
    let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    public var definition: ToolDefinition {
        ToolDefinition(
            name: "append_file",
            description: "Append content to the end of a file in the workspace (the file is created if missing).",
            parameters: ToolSchema.object(
                [
                    ("path", "string", "File path, relative to the workspace"),
                    ("content", "string", "Text to append"),
                ], required: ["path", "content"]))
    }

    public func execute(_ arguments: ToolArguments, context: ToolContext) async throws -> ToolOutput {
        let path = try arguments.string("path")
        let content = try arguments.string("content")
        return workspaceOperation {
            try workspace.append(path, contents: content)
            return "Appended to \(path)"
        }
    }
}

/// `list_dir{path?}`: the entries of a workspace directory, one per line (`DIR:`, `FILE:`, `LINK:`).
public struct ListDirTool: Tool {
    let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }

    public var definition: ToolDefinition {
        ToolDefinition(
            name: "list_dir",
            description: "List the files and directories at a path in the workspace.",
            parameters: ToolSchema.object(
                [
                    ("path", "string", "Directory path, relative to the workspace (default: the workspace root)")
                ], required: []))
    }

    public func execute(_ arguments: ToolArguments, context: ToolContext) async throws -> ToolOutput {
        let path = try arguments.optionalString("path") ?? "."
        return workspaceOperation {
            let entries = try workspace.list(path.isEmpty ? "." : path).sorted { $0.name < $1.name }
            if entries.isEmpty { return "(empty directory)" }
            return entries.map { e in
                switch e.kind {
                case .directory: "DIR:  \(e.name)"
                case .file: "FILE: \(e.name) (\(e.size) bytes)"
                case .symlink: "LINK: \(e.name)"
                case .other: "OTHER: \(e.name)"
                }
            }.joined(separator: "\n")
        }
    }
}
