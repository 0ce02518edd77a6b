/// Waits until `condition` holds, checking it every `interval`, for at most `timeout` (stretched by
/// ``Patience``); throws ``FakeTimeoutError`` naming `what` otherwise. The one way tests wait for a condition they
/// cannot be told about (a file appearing, a process leaving, a counter moving): never a fixed sleep.
public func eventually(
    _ what: @autoclosure () -> String, timeout quiet: Duration = .seconds(5),
    interval: Duration = .milliseconds(10), _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let timeout = Patience.bound(quiet)
    let deadline = clock.now.advanced(by: timeout)
    while true {
        if try await condition() { return }
        if clock.now >= deadline { throw FakeTimeoutError("timed out after \(timeout) waiting for \(what())") }
        try await Task.sleep(for: interval)
    }
}
