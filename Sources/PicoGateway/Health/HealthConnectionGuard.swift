import CMicroHTTPD
import Glibc
import PicoSystem
import Synchronization

/// Admission and deadlines for the health server's connections, so slow clients cannot starve `/health`.
///
/// - Every connection gets an absolute deadline from the moment it is accepted (the request head must arrive,
///   and the answer go out, within it): a client trickling one header byte at a time is cut off when the deadline
///   passes, whatever libmicrohttpd's idle timeout says. A watchdog thread shuts such sockets down; it starts with
///   the first connection and ends once no deadline has been pending for `Limits.linger`, so an idle gateway has
///   no thread (and no stack) for it and never wakes up for it.
/// - Clients are admitted in two classes: loopback probes (`127.0.0.1`, `::1`) have their own slots, so a health
///   probe on the machine is answered while other addresses sit at their limits (8 per address, 32 in all).
final class HealthConnectionGuard: @unchecked Sendable {
    /// Connection limits and the per-connection deadline.
    struct Limits: Sendable {
        var perAddress = 8
        var total = 32
        var loopbackSlots = 16
        var deadline: Duration = .seconds(5)
        /// How long the watchdog thread outlives the last connection (probes in a row reuse it).
        var linger: Duration = .seconds(3)
    }

    private struct Entry {
        var fd: Int32
        var address: String
        var loopback: Bool
        var deadline: ContinuousClock.Instant
        var shutDown = false
    }

    private struct State {
        var entries: [UInt: Entry] = [:]
        var perAddress: [String: Int] = [:]
        var loopback = 0
        var others = 0
        var stopping = false
        /// A watchdog thread is running (or about to: it has not decided to end).
        var watching = false
        /// When the last connection was opened or closed (the watchdog's linger counts from here).
        var lastActivity = ContinuousClock.now
    }

    let limits: Limits
    /// The clock deadlines are measured on (tests inject a manual one and call ``wake()`` after moving it).
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())
    /// A self-pipe that wakes the watchdog: `[read end, write end]`.
    private var wakePipe: [Int32] = [-1, -1]
    /// The last watchdog thread started. Only libmicrohttpd's thread (`opened`) and `stop` (after libmicrohttpd
    /// stopped) touch these two.
    private var thread = pthread_t()
    private var threadStarted = false

    init(limits: Limits, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.limits = limits
        self.now = now
        if pipe(&wakePipe) == 0 {
            for fd in wakePipe {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(fd, F_SETFL, O_NONBLOCK)
            }
        }
    }

    /// Starts a watchdog thread (joining the previous one, which has already decided to end).
    private func startWatchdog() {
        if threadStarted { pthread_join(thread, nil); threadStarted = false }
        let raw = Unmanaged.passRetained(self).toOpaque()
        threadStarted =
            pthread_create(
                &thread, nil,
                { arg in
                    let guardian = Unmanaged<HealthConnectionGuard>.fromOpaque(arg!).takeRetainedValue()
                    guardian.watch()
                    return nil
                }, raw) == 0
        if !threadStarted {
            Unmanaged<HealthConnectionGuard>.fromOpaque(raw).release()
            state.withLock { $0.watching = false }
        }
    }

    /// Whether a watchdog thread is running.
    var watchdogRunning: Bool { state.withLock { $0.watching } }

    /// The most connections libmicrohttpd should ever hold (both classes).
    var connectionLimit: Int { limits.total + limits.loopbackSlots }

    /// Accept policy: `false` refuses the connection before libmicrohttpd allocates anything for it.
    func admit(_ address: UnsafePointer<sockaddr>?) -> Bool {
        let (key, loopback) = Self.describe(address)
        return state.withLock { s in
            if loopback { return s.loopback < limits.loopbackSlots }
            return s.others < limits.total && s.perAddress[key, default: 0] < limits.perAddress
        }
    }

    /// A connection was accepted: count it and start its deadline.
    func opened(_ connection: OpaquePointer) {
        let (key, loopback) = Self.describe(pico_mhd_client_address(connection))
        let fd = pico_mhd_connection_fd(connection)
        let now = self.now()
        let start = state.withLock { s in
            s.entries[UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(connection)))] =
                Entry(fd: fd, address: key, loopback: loopback, deadline: now + limits.deadline)
            if loopback { s.loopback += 1 } else { s.others += 1; s.perAddress[key, default: 0] += 1 }
            s.lastActivity = now
            defer { s.watching = true }
            return !s.watching && !s.stopping
        }
        if start { startWatchdog() } else { wake() }
    }

    /// A connection is about to be closed (libmicrohttpd closes the socket after this returns, so the watchdog,
    /// which shuts sockets down under the same lock, never touches a closed or reused descriptor).
    func closed(_ connection: OpaquePointer) {
        state.withLock { s in
            s.lastActivity = self.now()
            guard let e = s.entries.removeValue(forKey: UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(connection))))
            else { return }
            if e.loopback {
                s.loopback -= 1
            } else {
                s.others -= 1
                let left = s.perAddress[e.address, default: 1] - 1
                s.perAddress[e.address] = left > 0 ? left : nil
            }
        }
    }

    /// Stops the watchdog (after libmicrohttpd was stopped).
    func stop() {
        state.withLock { $0.stopping = true }
        wake()
        if threadStarted { pthread_join(thread, nil); threadStarted = false }
        for fd in wakePipe where fd >= 0 { close(fd) }
        wakePipe = [-1, -1]
    }

    // MARK: - Watchdog

    private func watch() {
        while true {
            let timeout: Int32? = state.withLock { s in
                if s.stopping {
                    s.watching = false
                    return nil
                }
                let now = self.now()
                var next: ContinuousClock.Instant?
                for (key, e) in s.entries where !e.shutDown {
                    if e.deadline <= now {
                        if e.fd >= 0 { shutdown(e.fd, Int32(SHUT_RDWR)) }
                        s.entries[key]?.shutDown = true
                    } else if next == nil || e.deadline < next! {
                        next = e.deadline
                    }
                }
                if next == nil {
                    // Nothing to cut off: linger a little (probes often come in a row), then end.
                    let quietUntil = s.lastActivity + limits.linger
                    guard quietUntil > now else {
                        s.watching = false
                        return nil
                    }
                    next = quietUntil
                }
                return Int32(clamping: now.duration(to: next!).milliseconds + 1)
            }
            guard let timeout else { return }
            var pfd = pollfd(fd: wakePipe[0], events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, timeout) > 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                while read(wakePipe[0], &drain, drain.count) > 0 {}
            }
        }
    }

    /// Connections counted now (accepted and not yet closed).
    var openCount: Int { state.withLock { $0.entries.count } }

    /// Makes the watchdog re-check every deadline now.
    func wake() {
        var one: UInt8 = 1
        _ = write(wakePipe[1], &one, 1)
    }

    /// The address text and whether it is a loopback probe address (`127.0.0.1`, `::1`, `::ffff:127.0.0.1`).
    static func describe(_ address: UnsafePointer<sockaddr>?) -> (String, Bool) {
        guard let address else { return ("?", false) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            var a = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count))
        case AF_INET6:
            var a = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count))
        default:
            return ("?", false)
        }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (text, text == "127.0.0.1" || text == "::1" || text == "::ffff:127.0.0.1")
    }
}
