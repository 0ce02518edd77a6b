import FoundationEssentials
import PicoHTTP

/// Buttons on Discord: message components (an action row of buttons), `INTERACTION_CREATE` for presses, the
/// interaction callback to acknowledge them, and DM channels to reach an owner privately.
extension DiscordChannel: ButtonChannel {
    public func privateChat(with userID: String) async throws -> String {
        let body = Array(try JSONEncoder().encode(["recipient_id": userID]))
        let response = try await rest.request("POST", "/users/@me/channels", body: body)
        return try JSONDecoder().decode(DiscordDMChannel.self, from: Data(response.body)).id
    }

    public func sendButtons(_ text: String, to target: ReplyTarget, buttons: [PromptButton]) async throws {
        let styles = [1, 4, 2]  // primary, danger, secondary
        let row = DiscordComponentRow(
            components: buttons.enumerated().map { i, b in
                DiscordButton(
                    style: styles[min(i, styles.count - 1)], label: String(b.label.prefix(80)), customID: b.data)
            })
        let body = Array(
            try JSONEncoder().encode(DiscordButtonMessage(content: String(text.prefix(2000)), components: [row])))
        try await delivery.run(chatID: target.chatID) {
            try await post("/channels/\(target.chatID)/messages", body)
        }
    }

    public func acknowledge(_ press: ButtonPress, text: String) async {
        let parts = press.pressID.split(separator: ":", maxSplits: 1)
        guard parts.count == 2 else { return }
        // Type 4: a message only the presser sees (flags 64 = ephemeral).
        let body = Array(
            (try? JSONEncoder().encode(DiscordInteractionReply(type: 4, data: .init(content: text, flags: 64))))
                ?? Data())
        do {
            try await rest.request("POST", "/interactions/\(parts[0])/\(parts[1])/callback", body: body)
        } catch {
            logger.debug("discord: interaction callback failed: \(error)")
        }
    }

    /// Hands a component press to `onButton`.
    func report(_ interaction: DiscordInteraction) {
        guard interaction.type == 3, let onButton = options.onButton, let data = interaction.data?.customID,
            let user = interaction.member?.user ?? interaction.user
        else { return }
        onButton(
            ButtonPress(
                channel: name, userID: user.id, chatID: interaction.channelID, data: data,
                pressID: "\(interaction.id):\(interaction.token)"))
    }
}

struct DiscordDMChannel: Decodable { var id: String }

struct DiscordButtonMessage: Encodable {
    var content: String
    var components: [DiscordComponentRow]
}

struct DiscordComponentRow: Encodable {
    var type = 1
    var components: [DiscordButton]
}

struct DiscordButton: Encodable {
    var type = 2
    var style: Int
    var label: String
    var customID: String
    enum CodingKeys: String, CodingKey {
        case type, style, label
        case customID = "custom_id"
    }
}

struct DiscordInteractionReply: Encodable {
    struct Data: Encodable {
        var content: String
        var flags: Int
    }
    var type: Int
    var data: Data
}

/// `INTERACTION_CREATE` (the fields picoclaw reads).
struct DiscordInteraction: Decodable {
    struct Member: Decodable { var user: DiscordUser? }
    struct Payload: Decodable {
        var customID: String?
        enum CodingKeys: String, CodingKey { case customID = "custom_id" }
    }
    var id: String
    var token: String
    var type: Int
    var channelID: String?
    var data: Payload?
    var member: Member?
    var user: DiscordUser?
    enum CodingKeys: String, CodingKey {
        case id, token, type, data, member, user
        case channelID = "channel_id"
    }
}
