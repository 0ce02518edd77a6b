import Glibc

/// A time zone read from the system's TZif files (`/usr/share/zoneinfo/<name>`, or `/etc/localtime` for the
/// system zone): UTC offsets by instant, and the conversion of local wall-clock times to instants.
/// After the file's last transition (2037 in Debian's files) the last offset stays in force.
public struct TimeZoneRules: Sendable, Equatable {
    /// The zone's name (`Europe/Berlin`, `UTC`, or `system`).
    public let name: String
    let transitions: [Int64]
    let offsets: [Int32]  // offset in force from transitions[i]
    let initialOffset: Int32

    /// UTC.
    public static let utc = TimeZoneRules(name: "UTC", transitions: [], offsets: [], initialOffset: 0)

    init(name: String, transitions: [Int64], offsets: [Int32], initialOffset: Int32) {
        self.name = name
        self.transitions = transitions
        self.offsets = offsets
        self.initialOffset = initialOffset
    }

    /// The zone `name` (an IANA name such as `Europe/Berlin`); `""` is the system zone (`TZ`, else `/etc/localtime`).
    /// `nil` when no such zone file exists or it cannot be read.
    public static func named(_ name: String, zoneinfo: String = "/usr/share/zoneinfo") -> TimeZoneRules? {
        var zone = name.trimmedSpaces
        if zone.isEmpty, let tz = getenv("TZ").map({ String(cString: $0) }), !tz.isEmpty {
            zone = tz.hasPrefix(":") ? String(tz.dropFirst()) : tz
        }
        if zone.isEmpty { return load(path: "/etc/localtime", name: "system") ?? .utc }
        if zone == "UTC" || zone == "Etc/UTC" || zone == "GMT" { return .utc }
        // A name, never a path: no "..", no leading "/".
        guard !zone.hasPrefix("/"), !zone.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }),
            zone.unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || "0123456789/_-+".unicodeScalars.contains($0))
            })
        else { return nil }
        return load(path: zoneinfo + "/" + zone, name: zone)
    }

    static func load(path: String, name: String) -> TimeZoneRules? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 8192)
        while bytes.count < 1 << 20 {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += buf[0..<n]
        }
        return parse(bytes, name: name)
    }

    /// Parses TZif data (the 64-bit block of version 2+ files, else the 32-bit one).
    static func parse(_ b: [UInt8], name: String) -> TimeZoneRules? {
        func be32(_ i: Int) -> Int64? {
            guard i + 4 <= b.count else { return nil }
            return Int64(
                Int32(
                    bitPattern: UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])))
        }
        func be64(_ i: Int) -> Int64? {
            guard let hi = be32(i), let lo = be32(i + 4) else { return nil }
            return hi << 32 | (lo & 0xFFFF_FFFF)
        }
        func header(_ at: Int) -> (isut: Int, isstd: Int, leap: Int, time: Int, type: Int, char: Int)? {
            guard at + 44 <= b.count, b[at] == 0x54, b[at + 1] == 0x5A, b[at + 2] == 0x69, b[at + 3] == 0x66,
                let c0 = be32(at + 20), let c1 = be32(at + 24), let c2 = be32(at + 28), let c3 = be32(at + 32),
                let c4 = be32(at + 36), let c5 = be32(at + 40)
            else { return nil }
            return (Int(c0), Int(c1), Int(c2), Int(c3), Int(c4), Int(c5))
        }
        guard var h = header(0) else { return nil }
        var at = 44
        var timeSize = 4
        if b[4] >= 0x32 {  // version 2+: skip the 32-bit block
            at += h.time * 5 + h.type * 6 + h.char + h.leap * 8 + h.isstd + h.isut
            guard let h2 = header(at) else { return nil }
            h = h2
            at += 44
            timeSize = 8
        }
        var transitions: [Int64] = []
        for i in 0..<h.time {
            guard let t = timeSize == 8 ? be64(at + i * 8) : be32(at + i * 4) else { return nil }
            transitions.append(t)
        }
        at += h.time * timeSize
        guard at + h.time + h.type * 6 <= b.count, h.type > 0 else { return nil }
        let indices = Array(b[at..<(at + h.time)])
        at += h.time
        var typeOffsets: [Int32] = []
        var typeIsDST: [Bool] = []
        for i in 0..<h.type {
            guard let off = be32(at + i * 6) else { return nil }
            typeOffsets.append(Int32(off))
            typeIsDST.append(b[at + i * 6 + 4] != 0)
        }
        guard indices.allSatisfy({ Int($0) < h.type }) else { return nil }
        let initial = typeIsDST.firstIndex(of: false).map { typeOffsets[$0] } ?? typeOffsets[0]
        return TimeZoneRules(
            name: name, transitions: transitions, offsets: indices.map { typeOffsets[Int($0)] },
            initialOffset: initial)
    }

    /// Seconds east of UTC at instant `t` (seconds since the epoch).
    public func offset(at t: Int64) -> Int {
        var lo = 0, hi = transitions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if transitions[mid] <= t { lo = mid + 1 } else { hi = mid }
        }
        return Int(lo == 0 ? initialOffset : offsets[lo - 1])
    }

    /// The instant of local wall-clock time `local` (seconds since the epoch as if the zone were UTC). In a gap
    /// (clocks moved forward) the time after the gap; in an overlap the first occurrence.
    public func instant(ofLocal local: Int64) -> Int64 {
        let first = local - Int64(offset(at: local - Int64(offset(at: local))))
        let candidates = [local - Int64(offset(at: first - 86_400)), local - Int64(offset(at: first + 86_400)), first]
        let valid = candidates.filter { $0 + Int64(offset(at: $0)) == local }
        if let earliest = valid.min() { return earliest }
        return first
    }

    /// Local wall-clock seconds of instant `t`.
    public func local(_ t: Int64) -> Int64 { t + Int64(offset(at: t)) }
}

/// Proleptic Gregorian calendar arithmetic on seconds since the epoch (no time zone).
public struct CivilTime: Sendable, Equatable {
    public var year: Int, month: Int, day: Int, hour: Int, minute: Int
    /// 0 = Sunday … 6 = Saturday.
    public var weekday: Int

    /// The fields of `seconds` (seconds since 1970-01-01 00:00, as local wall-clock time).
    public init(_ seconds: Int64) {
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let rest = Int(seconds - Int64(days) * 86_400)
        (year, month, day) = CivilTime.civil(fromDays: days)
        hour = rest / 3600
        minute = rest / 60 % 60
        weekday = ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday
    }

    /// Days since 1970-01-01 of a date (H. Hinnant's algorithm).
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Local wall-clock seconds of these fields (weekday ignored).
    public var seconds: Int64 {
        Int64(CivilTime.days(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3600 + minute * 60)
    }

    /// `2026-03-29 14:05`.
    public var text: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(hour)):\(two(minute))"
    }
}
