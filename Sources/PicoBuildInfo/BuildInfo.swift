/// Facts about this build, embedded at build time by `BuildInfoPlugin`.
public enum BuildInfo {
    /// The product's semantic version.
    public static let version = "0.1.0"
    /// The git commit the binary was built from (`unknown` for a source build without git; `-dirty` when modified).
    public static let gitCommit = generatedGitCommit
    /// The UTC date of the build (YYYY-MM-DD).
    public static let buildDate = generatedBuildDate
    /// The Swift compiler version that built the binary.
    public static let swiftVersion = generatedSwiftVersion

    /// The multi-line text `picoclaw version` prints.
    public static var versionText: String {
        """
        picoclaw \(version)
          commit: \(gitCommit)
          built:  \(buildDate)
          swift:  \(swiftVersion)
        """
    }
}
