// Text helpers for audit findings and fixes: modes and copy-pasteable commands.

/// `go-rwx`-style text for the bits `keep` removes (`0o740` → `g-wx,o-rwx`).
func symbolicRemoval(_ keep: UInt32) -> String {
    var parts: [String] = []
    var sameAsPrevious: [(String, String)] = []
    for (who, shift) in [("u", 6), ("g", 3), ("o", 0)] as [(String, UInt32)] {
        let removed = ~(keep >> shift) & 0o7
        var perms = ""
        if removed & 4 != 0 { perms += "r" }
        if removed & 2 != 0 { perms += "w" }
        if removed & 1 != 0 { perms += "x" }
        if !perms.isEmpty { sameAsPrevious.append((who, perms)) }
    }
    // Merge classes that lose the same bits: g-rwx,o-rwx → go-rwx.
    var index = 0
    while index < sameAsPrevious.count {
        var who = sameAsPrevious[index].0
        let perms = sameAsPrevious[index].1
        var next = index + 1
        while next < sameAsPrevious.count && sameAsPrevious[next].1 == perms {
            who += sameAsPrevious[next].0
            next += 1
        }
        parts.append("\(who)-\(perms)")
        index = next
    }
    return parts.joined(separator: ",")
}

/// `600`-style text (four digits only when special bits are set).
func shortOctal(_ mode: UInt32) -> String {
    let s = String(mode & 0o7777, radix: 8)
    return String(repeating: "0", count: max(0, 3 - s.count)) + s
}

/// `0644`-style text of the permission bits.
func octal(_ mode: UInt32) -> String {
    let s = String(mode & 0o7777, radix: 8)
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
}

/// Quotes a path for a copy-pasteable shell command when it needs quoting.
func shellQuoted(_ s: String) -> String {
    let safe = s.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
            || "/._-+:@%=,".unicodeScalars.contains($0)
    }
    if safe && !s.isEmpty { return s }
    return "'" + s.replacing("'", with: "'\\''") + "'"
}
