/// When a schedule fires: once at an instant, every fixed interval, or on a cron expression (in a time zone).
public enum ScheduleTiming: Sendable, Equatable {
    case at(Int64)
    case every(seconds: Int64)
    case cron(CronExpression)

    /// Shortest interval accepted for `every`.
    public static let minimumInterval: Int64 = 60

    /// Why a timing was refused (safe to show the model).
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// `at`, `every` or `cron` (stored).
    public var kind: String {
        switch self {
        case .at: "at"
        case .every: "every"
        case .cron: "cron"
        }
    }

    /// The stored form: instant seconds, interval seconds, or the expression.
    public var spec: String {
        switch self {
        case .at(let t): String(t)
        case .every(let s): String(s)
        case .cron(let c): c.description
        }
    }

    /// Restores a stored timing.
    public init?(kind: String, spec: String) {
        switch kind {
        case "at": guard let t = Int64(spec) else { return nil }; self = .at(t)
        case "every": guard let s = Int64(spec), s > 0 else { return nil }; self = .every(seconds: s)
        case "cron": guard let c = try? CronExpression(spec) else { return nil }; self = .cron(c)
        default: return nil
        }
    }

    /// Parses what the model gave: `at` (`YYYY-MM-DD HH:MM` local time, or `+20m`), `every` (`30m`, `2h`, `1d`)
    /// or `cron` (5 fields). Exactly one must be set.
    public static func parse(
        at: String?, every: String?, cron: String?, zone: TimeZoneRules,
        now: Int64
    ) throws(Invalid) -> ScheduleTiming {
        let given = [at, every, cron].compactMap { $0?.trimmedSpaces }.filter { !$0.isEmpty }
        guard given.count == 1 else { throw Invalid(description: "give exactly one of 'at', 'every' or 'cron'") }
        if let at = at?.trimmedSpaces, !at.isEmpty {
            if at.hasPrefix("+") {
                guard let d = duration(String(at.dropFirst())) else {
                    throw Invalid(
                        description:
                            "'at' must be 'YYYY-MM-DD HH:MM' or '+<n>m/h/d', got '\(TextLimits.truncate(at, to: 40))'")
                }
                return .at(now + d)
            }
            guard let local = localTime(at) else {
                throw Invalid(
                    description:
                        "'at' must be 'YYYY-MM-DD HH:MM' (time zone \(zone.name)) or '+<n>m/h/d', got '\(TextLimits.truncate(at, to: 40))'"
                )
            }
            let instant = zone.instant(ofLocal: local)
            guard instant > now else { throw Invalid(description: "'at' \(at) (\(zone.name)) is in the past") }
            return .at(instant)
        }
        if let every = every?.trimmedSpaces, !every.isEmpty {
            guard let d = duration(every), d >= minimumInterval else {
                throw Invalid(
                    description:
                        "'every' must be an interval of at least 1 minute such as '30m', '2h' or '1d', got '\(TextLimits.truncate(every, to: 40))'"
                )
            }
            return .every(seconds: d)
        }
        do { return .cron(try CronExpression(cron ?? "")) } catch { throw Invalid(description: error.description) }
    }

    /// `90s`, `30m`, `2h`, `1d`, `1w` in seconds.
    static func duration(_ s: String) -> Int64? {
        let t = s.trimmedSpaces.lowercased()
        guard let unit = t.last, let n = Int64(t.dropLast()), n > 0, n < 10_000_000 else { return nil }
        switch unit {
        case "s": return n
        case "m": return n * 60
        case "h": return n * 3600
        case "d": return n * 86_400
        case "w": return n * 604_800
        default: return nil
        }
    }

    /// `YYYY-MM-DD HH:MM` (or with `T`) as local wall-clock seconds.
    static func localTime(_ s: String) -> Int64? {
        let parts = s.split(whereSeparator: { $0 == " " || $0 == "T" })
        guard parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-").compactMap { Int($0) }
        let time = parts[1].split(separator: ":").compactMap { Int($0) }
        guard date.count == 3, (2...3).contains(time.count), (1...12).contains(date[1]), (1...31).contains(date[2]),
            (0...23).contains(time[0]), (0...59).contains(time[1])
        else { return nil }
        let c = CivilTime(Int64(CivilTime.days(year: date[0], month: date[1], day: date[2])) * 86_400)
        guard c.day == date[2] else { return nil }  // 2026-02-30
        return c.seconds + Int64(time[0] * 3600 + time[1] * 60)
    }

    /// The first occurrence strictly after `t` (`nil`: none, e.g. a one-off already past).
    public func next(after t: Int64, from start: Int64, in zone: TimeZoneRules) -> Int64? {
        switch self {
        case .at(let instant): return instant > t ? instant : nil
        case .every(let s):
            guard t >= start else { return start }
            return start + ((t - start) / s + 1) * s
        case .cron(let c): return c.next(after: t, in: zone)
        }
    }

    /// For people: `once at 2026-12-02 09:00 (Europe/Berlin)`, `every 30m`, `cron 0 9 * * 1-5 (UTC)`.
    public func describe(in zone: TimeZoneRules) -> String {
        switch self {
        case .at(let t): return "once at \(CivilTime(zone.local(t)).text) (\(zone.name))"
        case .every(let s):
            if s % 86_400 == 0 { return "every \(s / 86_400)d" }
            if s % 3600 == 0 { return "every \(s / 3600)h" }
            if s % 60 == 0 { return "every \(s / 60)m" }
            return "every \(s)s"
        case .cron(let c): return "cron \(c.description) (\(zone.name))"
        }
    }
}
