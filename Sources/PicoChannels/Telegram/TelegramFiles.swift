import PicoHTTP

extension TelegramChannel: FileSendingChannel {
    /// `sendPhoto` for pictures (falling back to `sendDocument` when Telegram refuses the photo, e.g. for its
    /// dimensions), `sendDocument` otherwise; the topic is kept.
    public func sendFile(_ file: ChannelFile, to target: ReplyTarget) async throws {
        var asPhoto = file.imageType != nil
        try await delivery.run(chatID: target.chatID) {
            try await globalBucket.acquire()
            try await chatBuckets.acquire(target.chatID)
            let (method, field) = asPhoto ? ("sendPhoto", "photo") : ("sendDocument", "document")
            var form = MultipartForm()
            form.add("chat_id", target.chatID)
            if let thread = target.threadID { form.add("message_thread_id", thread) }
            if let caption = file.caption, !caption.isEmpty { form.add("caption", caption.previewPrefix(utf16: 1024)) }
            form.add(
                field, filename: file.name, contentType: file.imageType ?? "application/octet-stream", data: file.data)
            do {
                _ = try await api.upload(method, form, as: TelegramSentMessage.self)
                return .delivered
            } catch let error as ChannelAPIError {
                let outcome = error.deliveryOutcome
                if asPhoto, case .permanent = outcome {
                    logger.info("telegram: \(file.name) was refused as a photo (\(error)); sending it as a document")
                    asPhoto = false
                    return .transient("resending as a document")
                }
                return outcome
            }
        }
        logger.debug("telegram: sent \(file.name) (\(file.data.count) bytes) to chat \(target.chatID)")
    }
}
