/// How much longer than a quiet machine needs the waiting helpers allow before they fail. A timeout in a test
/// is a failure bound, never a synchronisation: on a loaded machine (CI, builds sharing the two cores, the whole
/// suite's gateways at once) everything is several times slower, and a passing run never waits for the bound.
public enum Patience {
    /// The stretch applied to every failure bound of ``eventually(_:timeout:interval:_:)`` and the fakes'
    /// `waitFor…` helpers.
    public static let factor = 4

    /// `timeout` stretched by ``factor``.
    public static func bound(_ timeout: Duration) -> Duration { timeout * factor }
}
