import PicoPolicy
import PicoSystem

/// A file a tool hands to the current chat.
public struct OutgoingFile: Sendable, Equatable {
    /// The file name shown in the chat.
    public var name: String
    /// The contents.
    public var data: [UInt8]
    /// Whether it is a JPEG, PNG, GIF or WebP picture (sent as a photo where the platform has photos).
    public var isImage: Bool
    /// Text shown with the file.
    public var caption: String?

    /// Creates a file; `isImage` is decided from the contents.
    public init(name: String, data: [UInt8], caption: String? = nil) {
        self.name = name
        self.data = data
        self.isImage = ImageKind(data) != nil
        self.caption = caption
    }
}

/// The chat the current turn answers, as far as sending files goes. The gateway sets ``sender`` around a turn;
/// the CLI leaves it unset and ``SendFileTool`` says files can only be sent in a chat.
public enum FileDelivery {
    /// The current turn's sender (a class: task-local values of function type are avoided on purpose).
    @TaskLocal public static var sender: FileSender?
}

/// Sends a file to the chat of the current turn; throws when the platform refused it.
public final class FileSender: Sendable {
    /// The callback.
    public let send: @Sendable (OutgoingFile) async throws -> Void

    /// Wraps `send`.
    public init(_ send: @escaping @Sendable (OutgoingFile) async throws -> Void) { self.send = send }
}

/// `send_file{path, caption?}`: sends a workspace file to the current chat (as a photo when it is a picture).
/// The path goes through the workspace jail like `read_file`; files over `maxBytes` are refused unread.
public struct SendFileTool: Tool {
    let workspace: Workspace
    let maxBytes: Int

    /// - Parameter maxBytes: the largest file sent (default 10 MiB, which Telegram and Discord both accept).
    public init(workspace: Workspace, maxBytes: Int = 10 << 20) {
        self.workspace = workspace
        self.maxBytes = maxBytes
    }

    public var definition: ToolDefinition {
        ToolDefinition(
            name: "send_file",
            description:
                "Send a file from the workspace to the user in this chat (pictures are shown as photos). Up to \(maxBytes >> 20) MiB.",
            parameters: ToolSchema.object(
                [
                    ("path", "string", "File path, relative to the workspace"),
                    ("caption", "string", "Optional short text shown with the file"),
                ], required: ["path"]))
    }

    public func execute(_ arguments: ToolArguments, context: ToolContext) async throws -> ToolOutput {
        let path = try arguments.string("path")
        let caption = try arguments.optionalString("caption").map { TextLimits.truncate($0, to: 1000) }
        guard let send = FileDelivery.sender?.send else {
            return .failure("send_file works only in a Telegram or Discord chat; tell the user the file's path instead")
        }
        let (workspace, limit) = (self.workspace, maxBytes)
        let read = await DedicatedThread.run { () -> Result<(name: String, data: [UInt8]), any Error> in
            Result { try workspace.readAttachment(path, maxBytes: limit) }
        }
        let file: OutgoingFile
        switch read {
        case .success(let r):
            file = OutgoingFile(name: r.name, data: r.data, caption: caption)
        case .failure(WorkspaceError.tooLarge(let p, let size, let limit)):
            return .failure(
                "\(p) is \(size) bytes; send_file sends at most \(limit) bytes. Compress or split it first.")
        case .failure(let error):
            return .failure(String(describing: error), verdict: workspaceVerdict(for: error))
        }
        do {
            try await send(file)
        } catch {
            return .failure("the chat did not accept \(file.name): \(error)")
        }
        return .success("sent \(file.name) (\(file.data.count) bytes\(file.isImage ? ", as a photo" : "")) to the chat")
    }
}

/// Picture formats recognised by their first bytes (never by the file name).
public enum ImageKind: String, Sendable, Equatable {
    case jpeg = "image/jpeg"
    case png = "image/png"
    case gif = "image/gif"
    case webp = "image/webp"

    /// The format of `data`, or `nil` when it is not one of the four.
    public init?(_ data: [UInt8]) {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            data.count >= offset + magic.count && Array(data[offset..<(offset + magic.count)]) == magic
        }
        if starts([0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) {
            self = .gif
        } else if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) {
            self = .webp
        } else {
            return nil
        }
    }

    /// The MIME type.
    public var mimeType: String { rawValue }
}
