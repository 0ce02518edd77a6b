import FoundationEssentials

extension DiscordChannel {
    /// The cursor holding the last recorded message id of a Discord channel.
    static func cursorName(_ channelID: String) -> String { "discord.channel.\(channelID)" }

    /// Records accepted messages (with the channel's last message id) in the sink, or hands them to `inbound`.
    /// A failed record is logged; the message is fetched again by the next catch-up (its cursor did not move).
    func deliverInbound(_ messages: [InboundMessage]) async {
        guard let sink = options.sink else {
            for m in messages { _ = await queue.put(m) }
            return
        }
        guard let last = messages.last else { return }
        do {
            // The value keeps the guild id too: REST messages (fetched on catch-up) do not carry it.
            let value = last.messageID + (last.guildID.map { ":" + $0 } ?? "")
            try await sink.accept(messages, cursor: ChannelCursor(name: Self.cursorName(last.chatID), value: value))
        } catch {
            logger.error(
                "discord: cannot record message(s) from channel \(last.chatID): \(error); they are fetched again after the next reconnect"
            )
        }
    }

    /// After a new session (READY, not RESUMED): fetches what was posted since the last recorded message in every
    /// channel with recent activity (REST, at most `catchUpLimit` messages per channel, channels active within
    /// `catchUpMaxAge`) and records the ones the bot answers. Re-deliveries are ignored by the sink.
    func catchUp(botID: String) async {
        guard let sink = options.sink else { return }
        let prefix = "discord.channel."
        let cursors = await sink.cursors(prefix: prefix, maxAge: options.catchUpMaxAge)
        guard !cursors.isEmpty else { return }
        let converter = DiscordInbound(botID: botID, mentionOnly: options.mentionOnly)
        var total = 0
        for cursor in cursors {
            let channelID = String(cursor.name.dropFirst(prefix.count))
            let parts = cursor.value.split(separator: ":", maxSplits: 1).map(String.init)
            guard let after = parts.first, !after.isEmpty, after.allSatisfy(\.isNumber),
                channelID.allSatisfy(\.isNumber)
            else { continue }
            let guildID = parts.count > 1 ? parts[1] : nil
            let missed: [DiscordMessage]
            do {
                missed = try await rest.get(
                    "/channels/\(channelID)/messages?after=\(after)&limit=\(options.catchUpLimit)",
                    as: [DiscordMessage].self)
            } catch {
                logger.warning("discord: cannot fetch missed messages of channel \(channelID): \(error)")
                continue
            }
            // Discord returns newest first; snowflakes order by length, then text.
            let ordered = missed.sorted { ($0.id.count, $0.id) < ($1.id.count, $1.id) }
            var accepted: [InboundMessage] = []
            for m in ordered {
                var message = m
                if message.channelID.isEmpty { message.channelID = channelID }
                if message.guildID == nil { message.guildID = guildID }
                guard case .accept(let inbound) = converter.convert(message),
                    let admitted = gate.admitting(inbound)
                else { continue }
                accepted.append(admitted)
            }
            guard !accepted.isEmpty else { continue }
            total += accepted.count
            await deliverInbound(accepted)
        }
        if total > 0 { logger.info("discord: caught up on \(total) message(s) sent while disconnected") }
    }
}
