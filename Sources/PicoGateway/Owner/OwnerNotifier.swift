import Logging
import PicoChannels
import PicoConfig

/// Sends short notices (pairing requests, limits hit) to a channel's owners (``ChannelOwners``).
///
/// Telegram: to the owner's private chat (its id is the user id). Discord: a bot cannot open a DM without an
/// extra API call picoclaw does not make, so the notice goes to the log only. Every notice is logged.
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
        guard channelName == "telegram", let channel = channel(channelName) else { return }
        let owners = owners(of: channelName)
        if owners.isEmpty {
            logger.warning("\(channelName) has no owner to notify: set channels.\(channelName).owners (or put your id first in allow_from)")
        }
        for owner in owners {
            do { try await channel.send(text, to: ReplyTarget(chatID: owner)) } catch {
                logger.warning("could not send an owner notice to \(channelName) user \(owner): \(error)")
            }
        }
    }
}
