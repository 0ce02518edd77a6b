/// A 5-field cron expression (`minute hour day-of-month month day-of-week`): `*`, numbers, ranges `a-b`, lists
/// `a,b`, steps `*/n` and `a-b/n`, month and weekday names (`jan`, `mon`), Sunday as 0 or 7. When both
/// day-of-month and day-of-week are restricted, a day matching either fires (as in Vixie cron).
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    let minutes: Set<Int>, hours: Set<Int>, days: Set<Int>, months: Set<Int>, weekdays: Set<Int>
    let daysRestricted: Bool, weekdaysRestricted: Bool
    public let description: String

    /// Why an expression was refused (safe to show the model).
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public init(_ text: String) throws(Invalid) {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.lowercased() }
        guard fields.count == 5 else {
            throw Invalid(
                description: "a cron expression has 5 fields (minute hour day month weekday), got \(fields.count)")
        }
        let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        minutes = try CronExpression.field(fields[0], 0...59, "minute", names: [:])
        hours = try CronExpression.field(fields[1], 0...23, "hour", names: [:])
        days = try CronExpression.field(fields[2], 1...31, "day of month", names: [:])
        months = try CronExpression.field(
            fields[3], 1...12, "month",
            names: Dictionary(uniqueKeysWithValues: monthNames.enumerated().map { ($1, $0 + 1) }))
        let wd = try CronExpression.field(
            fields[4], 0...7, "day of week",
            names: Dictionary(uniqueKeysWithValues: dayNames.enumerated().map { ($1, $0) }))
        weekdays = Set(wd.map { $0 == 7 ? 0 : $0 })
        daysRestricted = !fields[2].hasPrefix("*")
        weekdaysRestricted = !fields[4].hasPrefix("*")
        description = fields.joined(separator: " ")
    }

    private static func field(
        _ text: String, _ range: ClosedRange<Int>, _ what: String,
        names: [String: Int]
    ) throws(Invalid) -> Set<Int> {
        var out = Set<Int>()
        func value(_ s: Substring) throws(Invalid) -> Int {
            if let n = Int(s), range.contains(n) { return n }
            if let n = names[String(s)] { return n }
            throw Invalid(description: "'\(s)' is not a valid \(what) (\(range.lowerBound)–\(range.upperBound))")
        }
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, !pieces[0].isEmpty else {
                throw Invalid(description: "'\(part)' is not a valid \(what)")
            }
            var step = 1
            if pieces.count == 2 {
                guard let s = Int(pieces[1]), s > 0 else {
                    throw Invalid(description: "'\(part)': the step must be a positive number")
                }
                step = s
            }
            let bounds: ClosedRange<Int>
            if pieces[0] == "*" {
                bounds = range
            } else if let dash = pieces[0].firstIndex(of: "-") {
                let a = try value(pieces[0][..<dash]), b = try value(pieces[0][pieces[0].index(after: dash)...])
                guard a <= b else { throw Invalid(description: "'\(part)': the range is backwards") }
                bounds = a...b
            } else {
                let a = try value(pieces[0])
                bounds = pieces.count == 2 ? a...range.upperBound : a...a
            }
            for n in stride(from: bounds.lowerBound, through: bounds.upperBound, by: step) { out.insert(n) }
        }
        return out
    }

    func matchesDay(_ c: CivilTime) -> Bool {
        guard months.contains(c.month) else { return false }
        let dom = days.contains(c.day), dow = weekdays.contains(c.weekday)
        if daysRestricted && weekdaysRestricted { return dom || dow }
        return dom && dow
    }

    /// The first instant strictly after `t` (seconds since the epoch) at which the expression fires in `zone`;
    /// `nil` when none within 5 years (e.g. `0 0 31 2 *`).
    public func next(after t: Int64, in zone: TimeZoneRules) -> Int64? {
        var local = (zone.local(t) / 60 + 1) * 60  // the next whole local minute
        let limit = local + 5 * 366 * 86_400
        while local < limit {
            let c = CivilTime(local)
            if !matchesDay(c) {
                local = (local / 86_400 + 1) * 86_400
                continue
            }
            if !hours.contains(c.hour) {
                local = (local / 3600 + 1) * 3600
                continue
            }
            if !minutes.contains(c.minute) {
                local += 60
                continue
            }
            let instant = zone.instant(ofLocal: local)
            // Skipped local times (a DST gap) map after the gap; keep only times that exist and lie ahead.
            if instant > t && zone.local(instant) == local { return instant }
            local += 60
        }
        return nil
    }
}
