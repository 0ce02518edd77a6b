import Logging
import PicoAgent
import PicoChannels
import PicoSystem

/// Turns a message's attachments into what the agent gets: pictures become image parts (for models that see
/// images) and files under the workspace's `media/`; voice notes and audio become text (when transcription is
/// configured). Anything refused — too large, not really a picture, a kind picoclaw does not read — becomes a
/// note for the sender and leaves nothing on disk.
struct MediaIntake: Sendable {
    /// The largest attachment fetched.
    var maxBytes = 10 << 20
    let store: MediaStore
    let transcriber: Transcriber?
    let logger: Logger

    /// What the turn gets from the attachments.
    struct Prepared: Sendable {
        /// Pictures for the model.
        var images: [ImageInput] = []
        /// Lines added to the message text for the model (stored picture paths, transcripts).
        var context: [String] = []
        /// Shown to the sender before the answer (transcripts, refusals).
        var notes: [String] = []
        /// Whether anything usable remains besides the notes.
        var usable = false
    }

    /// `seesImages` is asked only for a message with a picture (it matches the model name against known families).
    func prepare(
        _ message: InboundMessage, via channel: any Channel, workspace: String,
        seesImages: @autoclosure () -> Bool
    ) async -> Prepared {
        var out = Prepared()
        let attachments = message.attachments ?? []
        guard !attachments.isEmpty else { return out }
        let media = channel as? any MediaChannel
        for (index, a) in attachments.enumerated() {
            let label = a.name ?? a.kind.rawValue
            switch a.kind {
            case .file:
                out.notes.append("I can read pictures and voice notes, not \(label); nothing was kept.")
            case .image where !seesImages():
                out.notes.append("This model cannot see images, so I could not look at \(label).")
            case .voice where transcriber == nil, .audio where transcriber == nil:
                out.notes.append("Voice notes are off: transcription is not configured (tools.transcription).")
            case .image, .voice, .audio:
                guard let media else { continue }
                let data: [UInt8]
                do {
                    data = try await media.download(a, maxBytes: maxBytes)
                } catch let error as MediaError {
                    out.notes.append("I could not use \(label): \(error); nothing was kept.")
                    continue
                } catch {
                    out.notes.append("I could not use \(label): the download failed; nothing was kept.")
                    continue
                }
                if a.kind == .image {
                    guard let kind = ImageKind(data) else {
                        out.notes.append("\(label) is not a JPEG, PNG, WebP or GIF picture; nothing was kept.")
                        continue
                    }
                    // A GIF reaches the model as its first frame only (a still GIF); an unreadable one is refused.
                    var picture = data
                    var seen = "picture attached"
                    if kind == .gif {
                        let limit = maxBytes
                        switch await DedicatedThread.run({ GIFFirstFrame.convert(data, maxOutput: limit) }) {
                        case .success(let frame):
                            picture = frame.data
                            if frame.wasAnimated { seen = "animated GIF attached; you see its first frame" }
                        case .failure(let failure):
                            out.notes.append("I could not use \(label): \(failure); nothing was kept.")
                            continue
                        }
                    }
                    let name = "\(message.channel)-\(message.messageID)-\(index).\(Self.fileExtension(kind))"
                    let (store, logger) = (self.store, self.logger)
                    let stored = await DedicatedThread.run { () -> String? in
                        do { return try store.store(data, name: name, workspace: workspace) } catch {
                            logger.error(
                                "cannot keep a picture from \(message.channel) chat \(message.chatID): \(error)")
                            return nil
                        }
                    }
                    out.images.append(ImageInput(mimeType: kind.mimeType, data: picture))
                    if let stored { out.context.append("[\(seen); saved as \(stored)]") }
                    out.usable = true
                } else if let transcriber {
                    do {
                        let text = try await transcriber.transcribe(
                            data, filename: a.name ?? "voice.ogg",
                            mimeType: a.mimeType ?? "audio/ogg")
                        out.context.append(text)
                        out.notes.append("🎤 “\(text)”")
                        out.usable = true
                    } catch {
                        out.notes.append("I could not transcribe \(label): \(error)")
                    }
                }
            }
        }
        return out
    }

    static func fileExtension(_ kind: ImageKind) -> String {
        switch kind {
        case .jpeg: "jpg"
        case .png: "png"
        case .gif: "gif"
        case .webp: "webp"
        }
    }
}

extension MediaIntake.Prepared {
    /// Adds the pictures and the attachments' text to `input`. Returns whether the model should be asked at all
    /// (`false`: the message was only media that had to be refused; the notes are the answer).
    func apply(to input: inout InboundText) -> Bool {
        input.images = images
        if !context.isEmpty {
            input.text = ([input.text].filter { !$0.isEmpty } + context).joined(separator: "\n")
        }
        return usable || !input.text.isEmpty
    }

    /// The reply shown to the sender: the notes (transcripts, refusals) first, then the model's answer.
    func answer(_ text: String) -> String {
        guard !notes.isEmpty else { return text }
        let head = notes.joined(separator: "\n")
        return text.isEmpty ? head : head + "\n\n" + text
    }
}
