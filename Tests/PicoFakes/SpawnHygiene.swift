import Glibc

/// Adds "close every descriptor from 3 on" to spawn file actions, so a child (the gateway, the CLI) inherits
/// none of the test process's sockets: a child holding a copy of a fake's connection or of libcurl's client
/// socket would keep that connection open after another test closed it. Uses glibc ≥ 2.34's
/// `posix_spawn_file_actions_addclosefrom_np` (not exported by Swift's Glibc module); a no-op without it.
public func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    if let closeFrom = addCloseFrom { _ = closeFrom(&actions, 3) }
}

private let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
        return nil
    }
    return unsafeBitCast(
        symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
}()
