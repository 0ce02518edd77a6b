import CCurl
import Glibc
import PicoSystem

/// What libcurl asked the network loop to watch (`CURLMOPT_SOCKETFUNCTION`, `CURLMOPT_TIMERFUNCTION`): the sockets
/// of the transfers in flight with the events each waits for, and when curl next needs a timeout call. The loop
/// polls these and hands curl only the sockets that have events (`curl_multi_socket_action`), so a wake-up does
/// not touch an idle transfer such as the long poll.
///
/// Driver thread only: libcurl calls both callbacks from inside `curl_multi_add_handle`,
/// `curl_multi_remove_handle` and `curl_multi_socket_action`, which only the driver calls.
final class CurlWatch {
    /// One entry per socket: its descriptor and the poll events curl waits for (`revents` unused).
    private(set) var sockets: [pollfd] = []
    /// When curl wants `curl_multi_socket_action(CURL_SOCKET_TIMEOUT)` (monotonic nanoseconds), or `nil`.
    private(set) var deadline: Int?

    /// Routes `multi`'s socket and timer callbacks to this object (which must outlive the multi handle).
    func install(on multi: UnsafeMutableRawPointer) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = pico_multi_setopt_socket_cb(multi, curlSocketCallback)
        _ = pico_multi_setopt_ptr(multi, CURLMOPT_SOCKETDATA, me)
        _ = pico_multi_setopt_timer_cb(multi, curlTimerCallback)
        _ = pico_multi_setopt_ptr(multi, CURLMOPT_TIMERDATA, me)
    }

    /// Whether curl's timeout is due at `now`; if so it is cleared (curl sets the next one while it runs).
    func takeDueDeadline(now: Int) -> Bool {
        guard let deadline, deadline <= now else { return false }
        self.deadline = nil
        return true
    }

    /// Milliseconds until curl's timeout (rounded up, so a wait never ends just before it), at most `limit`.
    func millisecondsToDeadline(now: Int, limit: Int32) -> Int32 {
        guard let deadline else { return limit }
        let ms = (deadline - now + 999_999) / 1_000_000
        return ms <= 0 ? 0 : Int32(min(ms, Int(limit)))
    }

    fileprivate func watch(_ socket: curl_socket_t, what: Int32) {
        let index = sockets.firstIndex { $0.fd == socket }
        var events: Int16 = 0
        if what == CURL_POLL_IN || what == CURL_POLL_INOUT { events |= Int16(POLLIN) }
        if what == CURL_POLL_OUT || what == CURL_POLL_INOUT { events |= Int16(POLLOUT) }
        if what == CURL_POLL_REMOVE || events == 0 {
            if let index { sockets.remove(at: index) }
        } else if let index {
            sockets[index].events = events
        } else {
            sockets.append(pollfd(fd: socket, events: events, revents: 0))
        }
    }

    fileprivate func setTimer(milliseconds: Int) {
        deadline = milliseconds < 0 ? nil : MonotonicClock.nanoseconds() + milliseconds * 1_000_000
    }
}

/// The `curl_multi_socket_action` event mask for what `poll` reported on a socket.
func curlSelectMask(_ revents: Int16) -> Int32 {
    var mask: Int32 = 0
    if revents & Int16(POLLIN | POLLHUP) != 0 { mask |= CURL_CSELECT_IN }
    if revents & Int16(POLLOUT) != 0 { mask |= CURL_CSELECT_OUT }
    if revents & Int16(POLLERR | POLLNVAL) != 0 { mask |= CURL_CSELECT_ERR }
    return mask
}

private func curlSocketCallback(
    _ easy: UnsafeMutableRawPointer?, _ socket: curl_socket_t, _ what: Int32, _ user: UnsafeMutableRawPointer?,
    _ socketData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let user else { return 0 }
    Unmanaged<CurlWatch>.fromOpaque(user).takeUnretainedValue().watch(socket, what: what)
    return 0
}

private func curlTimerCallback(
    _ multi: UnsafeMutableRawPointer?, _ milliseconds: Int, _ user: UnsafeMutableRawPointer?
) -> Int32 {
    guard let user else { return 0 }
    Unmanaged<CurlWatch>.fromOpaque(user).takeUnretainedValue().setTimer(milliseconds: milliseconds)
    return 0
}
