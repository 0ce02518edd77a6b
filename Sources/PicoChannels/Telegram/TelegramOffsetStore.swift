import FoundationEssentials
import Logging

/// Persists the next `getUpdates` offset (`{"offset": N}`) so a restart neither loses nor repeats updates.
struct TelegramOffsetStore: Sendable {
    let path: String?
    let logger: Logger

    private struct Stored: Codable { var offset: Int64 }

    /// The stored offset, or `nil` (no file, persistence disabled, or unreadable — logged).
    func load() async -> Int64? {
        guard let path else { return nil }
        let read: Result<[UInt8]?, StateFile.Failure> = await BlockingIO.run {
            do { return .success(try StateFile.read(path)) } catch let e as StateFile.Failure { return .failure(e) } catch {
                return .failure(StateFile.Failure(description: "\(error)"))
            }
        }
        do {
            guard let bytes = try read.get() else { return nil }
            return try JSONDecoder().decode(Stored.self, from: Data(bytes)).offset
        } catch {
            logger.warning("telegram: ignoring unreadable offset file \(path): \(error)")
            return nil
        }
    }

    /// Stores `offset` (atomically, with `fsync`, on a helper thread); failures are logged (the channel keeps
    /// running; a restart may then repeat updates).
    func save(_ offset: Int64) async {
        guard let path else { return }
        let logger = self.logger
        let bytes: [UInt8]
        do { bytes = Array(try JSONEncoder().encode(Stored(offset: offset))) } catch { return }
        let failure: String? = await BlockingIO.run {
            do {
                try StateFile.write(path, bytes)
                return nil
            } catch {
                return "\(error)"
            }
        }
        if let failure { logger.error("telegram: cannot persist the update offset to \(path): \(failure)") }
    }
}
