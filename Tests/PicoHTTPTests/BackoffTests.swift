import PicoHTTP
import Testing

@Suite("Backoff and Retry-After")
struct BackoffTests {
    @Test func withoutJitterTheDelayDoublesUpToTheCap() {
        let backoff = Backoff(initial: .seconds(1), max: .seconds(60), jitter: false)
        #expect(
            (0..<8).map { backoff.delay(attempt: $0) }
                == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
        #expect(backoff.delay(attempt: 10_000) == .seconds(60))
    }

    @Test func jitterStaysBetweenHalfAndAllOfTheStep() {
        let backoff = Backoff(initial: .milliseconds(500), max: .seconds(8))
        for attempt in 0..<12 {
            let step = min(Duration.milliseconds(500) * (1 << attempt), .seconds(8))
            for _ in 0..<50 {
                let d = backoff.delay(attempt: attempt)
                #expect(d >= step / 2 && d <= step)
            }
        }
    }

    @Test func retryPolicyHonoursRetryAfterUpToItsCapAndOtherwiseBacksOff() {
        let policy = RetryPolicy(
            maxRetries: 3, baseDelay: .seconds(1), maxDelay: .seconds(4), maxRetryAfter: .seconds(30))
        #expect(policy.delay(beforeRetry: 0, retryAfter: "7") == .seconds(7))
        #expect(policy.delay(beforeRetry: 0, retryAfter: "3600") == .seconds(30))
        let d = policy.delay(beforeRetry: 5, retryAfter: "soon")
        #expect(d >= .seconds(2) && d <= .seconds(4))
    }

    @Test func retryAfterIsSecondsOrAnHTTPDate() {
        #expect(RetryPolicy.parseRetryAfter(" 2 ") == .seconds(2))
        #expect(RetryPolicy.parseRetryAfter("0.25") == .milliseconds(250))
        #expect(RetryPolicy.parseRetryAfter("-1") == nil)
        #expect(RetryPolicy.parseRetryAfter("") == nil)
    }
}
