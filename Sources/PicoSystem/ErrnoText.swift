#if canImport(Glibc)
import Glibc
#endif

/// The `strerror` text for an errno value (the current `errno` by default), e.g. `Permission denied`.
public func errnoText(_ code: Int32 = errno) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return String(cString: text)
}
