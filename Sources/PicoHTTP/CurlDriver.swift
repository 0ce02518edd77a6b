import CCurl
import Glibc
import PicoSystem
import Synchronization

/// The one network thread. It owns a `curl_multi` handle, runs every HTTP transfer and services every
/// WebSocket, so no blocking libcurl call ever occupies Swift's cooperative thread pool.
///
/// It waits in one `poll` on its wake-up descriptor, the sockets curl asked it to watch (``CurlWatch``) and the open
/// WebSockets, and serves only what has events: `curl_multi_socket_action` for a ready socket or a due timeout, a
/// read of a readable WebSocket. An idle transfer (the long poll) or WebSocket costs nothing when another wakes it.
///
/// It is also a `TaskExecutor` (``NetworkLoop``): tasks that prefer it run their jobs on this thread between
/// those waits, so a finished transfer resumes its task here without waking another thread, and a
/// transfer started here is handed to curl without a wake-up. Jobs run in rounds of at most about 1 ms (whole
/// batches: the jobs queued when a batch starts), then curl is serviced — a chain of jobs cannot keep it waiting.
///
/// Other threads talk to it only through `enqueue` (a locked inbox plus a ``LoopWakeup``); all curl
/// handles and continuations are touched on the driver thread alone, and each continuation is resumed
/// exactly once, by the driver.
final class CurlDriver: TaskExecutor, @unchecked Sendable {
    static let shared = CurlDriver()

    typealias Job = @Sendable (CurlDriver) -> Void

    private struct Inbox {
        var jobs: [Job] = []
        var tasks: [UnownedJob] = []
    }

    let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    private let wakeup = LoopWakeup()
    /// curl's sockets and timeout (driver thread).
    private let watch = CurlWatch()
    /// The driver thread's `pthread_self()`, stored by the thread itself before it runs anything (0 before).
    private let thread = Atomic<UInt>(0)
    // Driver-thread state.
    private var transfers: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var sockets: [UnsafeMutableRawPointer: WebSocketSession] = [:]
    /// Work queued on the driver thread itself: no lock and no wake-up needed.
    private var localJobs: [Job] = []
    private var localTasks: [UnownedJob] = []
    /// Task jobs run so far, and those that ran at least `slowJobNanoseconds` (written by the driver thread, read
    /// from anywhere through `NetworkLoop.statistics`).
    private let tasksRun = Atomic<Int>(0)
    private let slowTasks = Atomic<Int>(0)

    private init() {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        guard let m = curl_multi_init() else { fatalError("curl_multi_init failed") }
        multi = m
        watch.install(on: m)
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { arg in
                let driver = Unmanaged<CurlDriver>.fromOpaque(arg!).takeRetainedValue()
                driver.run()
                return nil
            }, box)
        precondition(rc == 0, "cannot start the HTTP driver thread (errno \(rc))")
        pthread_detach(thread)
    }

    /// Whether the caller runs on the driver thread.
    var isCurrent: Bool { thread.load(ordering: .relaxed) == pthread_self() }

    /// Runs `job` on the driver thread soon (before it next serves curl).
    func enqueue(_ job: @escaping Job) {
        if isCurrent {
            localJobs.append(job)
            return
        }
        inbox.withLock { $0.jobs.append(job) }
        wake()
    }

    /// Runs a task's job on the driver thread (`TaskExecutor`).
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if isCurrent {
            localTasks.append(job)
            return
        }
        inbox.withLock { $0.tasks.append(job) }
        wake()
    }

    /// Interrupts the driver's poll (thread-safe).
    func wake() { wakeup.signal() }

    /// How long task jobs may run before curl is serviced again (jobs are not interrupted: a batch may overrun).
    static let taskBudgetNanoseconds = 1_000_000

    /// A task job that runs this long (20 ms) keeps curl waiting as long: counted (`/metrics` shows the count).
    static let slowJobNanoseconds = 20_000_000

    /// Task jobs run, and those that ran at least `slowJobNanoseconds`.
    var taskStatistics: (jobs: Int, slow: Int) {
        (tasksRun.load(ordering: .relaxed), slowTasks.load(ordering: .relaxed))
    }

    // MARK: - Driver thread

    private func run() {
        thread.store(pthread_self(), ordering: .relaxed)
        var fds: [pollfd] = []
        var polledSessions: [WebSocketSession] = []
        var batch: [UnownedJob] = []
        let executor = asUnownedTaskExecutor()
        while true {
            inbox.withLock { box in
                if !box.jobs.isEmpty {
                    localJobs.append(contentsOf: box.jobs)
                    box.jobs.removeAll(keepingCapacity: true)
                }
                if !box.tasks.isEmpty {
                    localTasks.append(contentsOf: box.tasks)
                    box.tasks.removeAll(keepingCapacity: true)
                }
            }
            // Task jobs, including those they queue, for up to `taskBudgetNanoseconds`; then curl's turn.
            let roundStart = MonotonicClock.nanoseconds()
            var now = roundStart
            var ran = 0
            while !localTasks.isEmpty, now - roundStart < Self.taskBudgetNanoseconds {
                swap(&batch, &localTasks)
                for job in batch {
                    let start = now
                    job.runSynchronously(on: executor)
                    now = MonotonicClock.nanoseconds()
                    if now - start >= Self.slowJobNanoseconds { _ = slowTasks.wrappingAdd(1, ordering: .relaxed) }
                }
                ran += batch.count
                batch.removeAll(keepingCapacity: true)
            }
            if ran > 0 { _ = tasksRun.wrappingAdd(ran, ordering: .relaxed) }
            while !localJobs.isEmpty {
                let jobs = localJobs
                localJobs.removeAll(keepingCapacity: true)
                for job in jobs { job(self) }
            }
            reapCancelled()
            serviceDeadline()  // a transfer a job added starts here, before the wait

            // Wait for the wake-up, curl's sockets and the open WebSockets; then serve only those with events.
            let timeout: Int32 =
                !localTasks.isEmpty || !localJobs.isEmpty
                ? 0 : watch.millisecondsToDeadline(now: MonotonicClock.nanoseconds(), limit: 30_000)
            fds.removeAll(keepingCapacity: true)
            polledSessions.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wakeup.fd, events: Int16(POLLIN), revents: 0))
            fds.append(contentsOf: watch.sockets)
            let curlEnd = fds.count
            for session in sockets.values where session.isOpen {
                fds.append(pollfd(fd: session.socket, events: Int16(POLLIN), revents: 0))
                polledSessions.append(session)
            }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            guard ready > 0 else {
                serviceDeadline()
                continue
            }
            if fds[0].revents != 0 { wakeup.acknowledge() }
            var running: Int32 = 0
            for i in 1..<curlEnd where fds[i].revents != 0 {
                _ = curl_multi_socket_action(multi, fds[i].fd, curlSelectMask(fds[i].revents), &running)
            }
            for (i, session) in polledSessions.enumerated() where fds[curlEnd + i].revents != 0 {
                readWebSocket(session)
            }
            serviceDeadline()
        }
    }

    /// Runs curl's timeouts when due (timers of transfers, a transfer just added), then collects what finished.
    private func serviceDeadline() {
        if watch.takeDueDeadline(now: MonotonicClock.nanoseconds()) {
            var running: Int32 = 0
            _ = curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
        }
        readFinished()
    }

    /// Reads what a WebSocket has (it was readable, or its handshake just completed).
    private func readWebSocket(_ session: WebSocketSession) {
        session.reads += 1
        session.drain(driver: self)
    }

    /// Starts an HTTP transfer (driver thread).
    func start(_ transfer: CurlTransfer) {
        if transfer.cancelled.load(ordering: .acquiring) {
            transfer.continuation?.resume(throwing: CancellationError())
            transfer.continuation = nil
            return
        }
        transfers[transfer.easy.handle] = transfer
        let rc = curl_multi_add_handle(multi, transfer.easy.handle)
        if rc != CURLM_OK {
            transfers[transfer.easy.handle] = nil
            transfer.continuation?.resume(
                throwing: HTTPClientError.transport(
                    code: Int(rc.rawValue), message: String(cString: curl_multi_strerror(rc))))
            transfer.continuation = nil
        }
    }

    /// Registers a WebSocket handshake (driver thread); `session` finishes it in `readFinished`.
    func start(_ session: WebSocketSession) {
        sockets[session.easy.handle] = session
        let rc = curl_multi_add_handle(multi, session.easy.handle)
        if rc != CURLM_OK {
            sockets[session.easy.handle] = nil
            session.failHandshake(
                HTTPClientError.transport(code: Int(rc.rawValue), message: String(cString: curl_multi_strerror(rc))))
        }
    }

    /// Forgets a closed WebSocket and frees its handle (driver thread).
    func remove(_ session: WebSocketSession) {
        guard sockets.removeValue(forKey: session.easy.handle) != nil else { return }
        curl_multi_remove_handle(multi, session.easy.handle)
        session.easy.cleanup()
    }

    private func reapCancelled() {
        for (handle, transfer) in transfers where transfer.cancelled.load(ordering: .acquiring) {
            curl_multi_remove_handle(multi, handle)
            transfers[handle] = nil
            transfer.continuation?.resume(throwing: CancellationError())
            transfer.continuation = nil
        }
    }

    private func readFinished() {
        var remaining: Int32 = 0
        while let msg = curl_multi_info_read(multi, &remaining) {
            guard msg.pointee.msg == CURLMSG_DONE, let handle = msg.pointee.easy_handle else { continue }
            let result = pico_msg_result(msg)
            if let transfer = transfers.removeValue(forKey: handle) {
                curl_multi_remove_handle(multi, handle)
                finish(transfer, result)
            } else if let session = sockets[handle] {
                // CONNECT_ONLY: "done" means the upgrade completed. The handle stays in the multi until closed.
                if result == CURLE_OK {
                    session.handshakeCompleted()
                    // Frames that came with the handshake's response are in curl's buffer: the socket stays quiet.
                    readWebSocket(session)
                } else {
                    sockets[handle] = nil
                    curl_multi_remove_handle(multi, handle)
                    session.failHandshake(mapCurlError(result, message: session.errorMessage, responseTooLarge: nil))
                    session.easy.cleanup()
                }
            }
        }
    }

    private func finish(_ transfer: CurlTransfer, _ result: CURLcode) {
        guard let continuation = transfer.continuation else { return }
        transfer.continuation = nil
        if result == CURLE_OK {
            continuation.resume(returning: transfer.makeResponse())
        } else {
            if let refused = transfer.refusedContentType {
                continuation.resume(throwing: HTTPClientError.contentTypeNotAllowed(refused))
                return
            }
            let tooLarge = transfer.exceededLimit || result == CURLE_FILESIZE_EXCEEDED
            continuation.resume(
                throwing: mapCurlError(
                    result, message: transfer.errorMessage,
                    responseTooLarge: tooLarge ? transfer.maxResponseBytes : nil))
        }
    }
}
