import Logging
import PicoChannels
import PicoConfig

/// Sends short notices (pairing requests, limits hit) to a channel's owners (``ChannelOwners``).
///
/// To each owner's private chat (Telegram: the chat whose id is the user id; Discord: a DM channel the bot opens).
/// Every notice is also logged.
struct OwnerNotifier: Sendable {
    let config: PicoConfiguration
    let channel: @Sendable (String) -> (any Channel)?
    let logger: Logger

    /// The owner ids of `channel`.
    func owners(of channel: String) -> [String] {
        switch channel {
        case "telegram": config.channels.telegram.ownerIDs
        case "discord": config.channels.discord.ownerIDs
        default: []
        }
    }

    /// Whether `sender` owns `channel`.
    func isOwner(_ sender: String, on channel: String) -> Bool { owners(of: channel).contains(sender) }

    /// Logs `text` and sends it to the owners of `channelName` where the platform allows.
    func notify(_ channelName: String, _ text: String) async {
        logger.notice("owner notice (\(channelName)): \(text)")
        guard let channel = channel(channelName) as? any ButtonChannel else { return }
        let owners = owners(of: channelName)
        if owners.isEmpty {
            logger.warning(
                "\(channelName) has no owner to notify: set channels.\(channelName).owners (or put your id first in allow_from)"
            )
        }
        for owner in owners {
            do {
                try await channel.send(text, to: ReplyTarget(chatID: try await channel.privateChat(with: owner)))
            } catch {
                logger.warning("could not send an owner notice to \(channelName) user \(owner): \(error)")
            }
        }
    }
}
