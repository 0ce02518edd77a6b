/// Time and id helpers for the Discord fake.
enum DiscordIDs {
    /// Discord epoch (2015-01-01) in ms.
    static let epochMS = 1_420_070_400_000

    /// A snowflake for "now" with a per-process increment.
    static func snowflake(_ increment: Int) -> String {
        let ms = unixTime() * 1000 - epochMS
        return String((ms << 22) | (increment & 0xFFF))
    }

    /// ISO-8601 UTC timestamp for a Unix time (`2024-05-01T12:00:00.000000+00:00`).
    static func iso8601(_ t: Int) -> String {
        let days = t >= 0 ? t / 86400 : (t - 86399) / 86400
        let secs = t - days * 86400
        // civil_from_days (H. Hinnant)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(p2(m))-\(p2(d))T\(p2(secs / 3600)):\(p2(secs / 60 % 60)):\(p2(secs % 60)).000000+00:00"
    }
}
