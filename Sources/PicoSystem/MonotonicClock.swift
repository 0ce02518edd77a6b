#if canImport(Glibc)
import Glibc
#endif

/// Readings of `CLOCK_MONOTONIC` (never jumps with the wall clock; counts from an arbitrary start).
public enum MonotonicClock {
    /// Nanoseconds.
    public static func nanoseconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1_000_000_000 + ts.tv_nsec
    }

    /// Whole milliseconds.
    public static func milliseconds() -> Int { nanoseconds() / 1_000_000 }

    /// Whole seconds.
    public static func seconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec
    }
}
