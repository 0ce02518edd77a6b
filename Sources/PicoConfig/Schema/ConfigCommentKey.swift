extension ConfigSchema {
    /// `"_comment"`: human guidance inside the config file (JSON has no comments). Accepted in any object the
    /// loader walks (the top level, `agents`, `agents.defaults`, `channels.*`, `gateway`, `tools.*`,
    /// `providers.*`), with any JSON value, and ignored: no unknown-key warning, no notice. `picoclaw onboard`
    /// writes its starter config with such keys.
    public static let commentKey = "_comment"

    /// `true` for ``commentKey``.
    static func isCommentKey(_ key: String) -> Bool { key == commentKey }
}
