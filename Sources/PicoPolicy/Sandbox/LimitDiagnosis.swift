import Glibc

/// Turns the signs of a resource limit (a signal, an exit status of 128 + signal from the namespaces layer, the
/// usual error texts) into a clear line for the tool result, naming the limit and the key that raises it.
enum LimitDiagnosis {
    static func notes(for result: ExecResult, limits: ExecLimits) -> [String] {
        guard !result.succeeded, !result.timedOut, !result.cancelled else { return [] }
        var signals: Set<Int32> = []
        if let s = result.signal { signals.insert(s) }
        if let code = result.exitStatus, code > 128, code < 128 + 65 { signals.insert(code - 128) }
        let text = result.output
        var notes: [String] = []
        if text.contains("fork")
            && (text.contains("Resource temporarily unavailable") || text.contains("retry")
                || text.contains("Cannot fork"))
            || text.contains("Cannot fork")
        {
            notes.append("the process limit (tools.exec.limits.processes = \(limits.processes)) was reached")
        }
        if text.contains("Cannot allocate memory") || text.contains("memory exhausted") || text.contains("MemoryError")
            || text.contains("out of memory")
        {
            notes.append("the memory limit (tools.exec.limits.memory_mb = \(limits.memoryMB) MiB) was reached")
        }
        if signals.contains(SIGXFSZ) || text.contains("File too large") || text.contains("File size limit") {
            notes.append("the file size limit (tools.exec.limits.file_size_mb = \(limits.fileSizeMB) MiB) was reached")
        }
        if text.contains("Too many open files") {
            notes.append("the open-file limit (tools.exec.limits.open_files = \(limits.openFiles)) was reached")
        }
        if signals.contains(SIGXCPU) {
            notes.append("the CPU time limit (tools.exec.limits.cpu_seconds = \(limits.cpuSeconds) s) was reached")
        }
        if text.contains("No space left on device") {
            notes.append(
                "a file system is full (the private /tmp holds tools.exec.limits.tmp_size_mb = "
                    + "\(limits.tmpSizeMB) MiB)")
        }
        return notes.map { "[sandbox] " + $0 }
    }
}
