import PicoConfig
import Testing

/// The service managers give the gateway longer than its own shutdown grace period before they kill it.
@Suite("deploy: shutdown grace")
struct DeployShutdownGraceTests {
    static let grace = GatewayConfig().shutdownGraceSeconds

    @Test func systemdTimeoutStopSecExceedsTheGracePeriod() throws {
        let unit = try #require(BinaryDeploy.artifact("deploy/picoclaw.service"))
        let line = try #require(unit.split(separator: "\n").first { $0.hasPrefix("TimeoutStopSec=") })
        let seconds = try #require(Int(line.dropFirst("TimeoutStopSec=".count).filter(\.isNumber)))
        #expect(seconds > Self.grace, "TimeoutStopSec=\(seconds)s would kill turns inside the \(Self.grace) s grace")
    }

    @Test func composeStopGracePeriodExceedsTheGracePeriod() throws {
        let compose = try #require(BinaryDeploy.artifact("deploy/compose.yaml"))
        let line = try #require(compose.split(separator: "\n").first { $0.contains("stop_grace_period:") })
        let seconds = try #require(Int(line.split(separator: ":").last!.filter(\.isNumber)))
        #expect(seconds > Self.grace)
    }
}
