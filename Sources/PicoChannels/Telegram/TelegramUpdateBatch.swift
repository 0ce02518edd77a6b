import Logging
import PicoConfig

/// One `getUpdates` reply, decoded update by update: what cannot be decoded is listed, not fatal.
struct TelegramUpdateBatch: Sendable {
    /// An update that could not be read, with its `update_id` when even that was readable.
    struct Unreadable: Sendable {
        var updateID: Int64?
        var reason: String
    }

    var updates: [TelegramUpdate] = []
    var unreadable: [Unreadable] = []

    /// The highest `update_id` seen, readable or not (the offset must move past both).
    var highestID: Int64? { (updates.map(\.updateID) + unreadable.compactMap(\.updateID)).max() }
}

extension TelegramAPI {
    /// `getUpdates`, with every update decoded on its own (see ``TelegramUpdateScanner``), so one broken update
    /// never fails the whole poll.
    func getUpdates(_ params: TelegramGetUpdates, timeout: Duration) async throws -> TelegramUpdateBatch {
        let response = try await post("getUpdates", params, timeout: timeout)
        guard response.isSuccess, let elements = TelegramUpdateScanner.elements(response.body) else {
            throw failure("getUpdates", response)
        }
        var batch = TelegramUpdateBatch()
        for element in elements {
            do {
                batch.updates.append(try TelegramUpdate(json: JSONObjectReader(try JSONParser.parse(element.bytes))))
            } catch {
                let reason = element.updateID == nil ? "no integer update_id" : Self.describe(error)
                batch.unreadable.append(.init(updateID: element.updateID, reason: reason))
            }
        }
        return batch
    }

    /// A short, content-free reason for a reading failure (never the update's text).
    static func describe(_ error: any Error) -> String {
        if let syntax = error as? JSONSyntaxError {
            // Only the nesting limit is named: other syntax messages quote a character of the update.
            return syntax.message.hasPrefix("nesting deeper")
                ? "not a readable update (\(syntax.message))" : "not valid JSON (column \(syntax.column))"
        }
        guard let shape = error as? JSONReadError, !shape.path.isEmpty else { return "not a readable update" }
        return "unreadable field \(shape.pathText)"
    }
}

/// Logs each unreadable update once (by `update_id`, or once for all without one), and counts polls that
/// brought nothing but unreadable updates (the poll loop backs off on those).
struct UnreadableUpdateLog {
    let logger: Logger
    private var logged: Set<Int64> = []
    private var loggedWithoutID = false
    /// Consecutive polls that made no progress.
    var stalls = 0

    init(logger: Logger) { self.logger = logger }

    mutating func note(_ items: [TelegramUpdateBatch.Unreadable]) {
        for item in items {
            if let id = item.updateID {
                guard logged.count < 10_000, logged.insert(id).inserted else { continue }
                logger.warning("telegram: skipping unreadable update \(id) (\(item.reason))")
            } else if !loggedWithoutID {
                loggedWithoutID = true
                logger.warning(
                    "telegram: skipping an unreadable update without update_id (\(item.reason)); later ones are skipped silently"
                )
            }
        }
    }
}
