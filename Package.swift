// swift-tools-version: 6.2
// picoclaw: a personal AI-assistant gateway. One library target per concern, a thin CLI on top.
// Dependencies point downward only: picoclaw → PicoAudit → PicoGateway → PicoAgent/PicoChannels → PicoHTTP/PicoPolicy/PicoConfig.
// PicoSystem (POSIX helpers) sits below them all; PicoPolicy keeps its own copies and depends on nothing here.
import PackageDescription

let package = Package(
    name: "picoclaw",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "picoclaw", targets: ["picoclaw"]),
        .library(name: "PicoConfig", targets: ["PicoConfig"]),
        .library(name: "PicoPolicy", targets: ["PicoPolicy"]),
        .library(name: "PicoHTTP", targets: ["PicoHTTP"]),
        .library(name: "PicoAgent", targets: ["PicoAgent"]),
        .library(name: "PicoChannels", targets: ["PicoChannels"]),
        .library(name: "PicoGateway", targets: ["PicoGateway"]),
        .library(name: "PicoState", targets: ["PicoState"]),
        .library(name: "PicoAudit", targets: ["PicoAudit"]),
        .library(name: "PicoSystem", targets: ["PicoSystem"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        // Test-only: loopback fakes of Telegram, Discord, OpenAI and Anthropic. Never linked into the product.
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", exact: "2.8.1"),
    ],
    targets: [
        // MARK: C libraries (thin system-library targets)
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]),
        /// libxml2's HTML parser for PicoAgent's web_fetch, loaded with dlopen on first use (Debian `libxml2`), so
        /// the gateway does not map libxml2 and ICU unless a page is converted.
        .target(name: "CLibXML2"),
        /// giflib for the first frame of a GIF sent to the bot, loaded with dlopen on first use (Debian `libgif7`;
        /// `libgif-dev` for its header at build time), so an idle gateway does not map it.
        .target(name: "CGif"),
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        /// glibc's allocator controls (`malloc_trim`, `mallopt`) for the gateway's memory trimmer.
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(
            name: "CSeccomp", pkgConfig: "libseccomp",
            providers: [.apt(["libseccomp-dev"])]),
        /// Landlock syscalls and the fork/exec child path of PicoPolicy's sandboxed executor (async-signal-safe C).
        .target(name: "CPicoPolicy", dependencies: ["CSeccomp"]),
        /// The step bubblewrap runs inside the exec sandbox: applies Landlock, then execs the command.
        /// A C program linked as a static executable: it needs no library inside the sandbox (never the Swift
        /// toolchain) and starts without the dynamic loader (lld: glibc's static-dlopen note is not a warning).
        .executableTarget(
            name: "picoclaw-sandbox", dependencies: ["CPicoPolicy"],
            linkerSettings: [
                .unsafeFlags([
                    "-static-executable", "-use-ld=lld", "-Xlinker", "--gc-sections",
                    "-Xlinker", "--strip-all",
                ])
            ]),

        // MARK: Libraries
        /// Small POSIX helpers (off-thread blocking work, retrying I/O, mkdir -p, errno text, monotonic clock, trimming).
        /// Depends on nothing else in the package; PicoPolicy keeps its own minimal copies so it stays importable alone.
        .target(name: "PicoSystem"),
        .target(name: "PicoConfig", dependencies: ["PicoSystem"]),
        .target(name: "PicoPolicy", dependencies: ["CPicoPolicy"]),
        .target(name: "PicoHTTP", dependencies: ["CCurl", "PicoSystem"]),
        /// The gateway's crash-safe state store (SQLite): inbox, outbox, sessions, channel cursors.
        .target(name: "PicoState", dependencies: ["CSQLite", "PicoPolicy", "PicoSystem"]),
        .target(
            name: "PicoAgent",
            dependencies: [
                "PicoConfig", "PicoHTTP", "PicoPolicy", "PicoState", "PicoSystem", "CLibXML2", "CGif",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "PicoChannels",
            dependencies: [
                "PicoConfig", "PicoHTTP", "PicoSystem",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "PicoGateway",
            dependencies: [
                "PicoConfig", "PicoPolicy", "PicoHTTP", "PicoAgent", "PicoChannels", "PicoState", "PicoSystem",
                "CMicroHTTPD", "CMalloc",
                .product(name: "Logging", package: "swift-log"),
            ]),
        /// `picoclaw security audit` (checks, report, safe permission fixes) and `picoclaw onboard`.
        .target(name: "PicoAudit", dependencies: ["PicoConfig", "PicoPolicy", "PicoGateway", "PicoSystem"]),

        // MARK: CLI
        .target(name: "PicoBuildInfo", plugins: ["BuildInfoPlugin"]),
        .plugin(name: "BuildInfoPlugin", capability: .buildTool()),
        .executableTarget(
            name: "picoclaw",
            dependencies: [
                "picoclaw-sandbox",
                "PicoConfig", "PicoPolicy", "PicoAgent", "PicoGateway", "PicoAudit", "PicoState", "PicoSystem",
                "PicoBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // MARK: Benchmarks (executables, not tests)
        .executableTarget(name: "PicoPolicyBench", dependencies: ["PicoPolicy", "PicoSystem", "picoclaw-sandbox"]),
        /// The footprint/speed suite (`scripts/bench`): loopback fakes in-process, the real gateway as a child.
        .executableTarget(name: "PicoBench", dependencies: ["PicoFakes", "PicoHTTP"], path: "Benchmarks/PicoBench"),
        /// JSONDecoder/JSONEncoder against PicoConfig's parser, reader and writer on the hot wire envelopes.
        .executableTarget(name: "PicoJSONBench", dependencies: ["PicoConfig"], path: "Benchmarks/PicoJSONBench"),

        // MARK: Tests
        .target(
            name: "PicoFakes",
            dependencies: [
                "PicoPolicy", "PicoSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ], path: "Tests/PicoFakes"),
        /// Test helper: makes and inspects GIFs with giflib linked directly (never in the product).
        .target(name: "GIFTestSupport", path: "Tests/GIFTestSupport", linkerSettings: [.linkedLibrary("gif")]),
        .testTarget(name: "PicoConfigTests", dependencies: ["PicoConfig", "PicoFakes"]),
        /// Test helper: runs a command under a seccomp filter that kills on landlock_* (systemd's @system-service).
        .executableTarget(
            name: "pico-seccomp-kill-landlock", dependencies: ["CSeccomp"],
            path: "Tests/SeccompKillLandlock"),
        /// Test helper: runs a stand-in for bubblewrap through the executor's namespaces shape (pico_run).
        .executableTarget(name: "pico-namespaces-run", dependencies: ["CPicoPolicy"], path: "Tests/NamespacesRun"),
        .testTarget(
            name: "PicoPolicyTests",
            dependencies: ["PicoPolicy", "PicoFakes", "picoclaw-sandbox", "pico-namespaces-run"]),
        .testTarget(name: "PicoHTTPTests", dependencies: ["PicoHTTP", "PicoSystem", "PicoFakes"]),
        .testTarget(
            name: "PicoAgentTests",
            dependencies: [
                "PicoAgent", "PicoConfig", "PicoPolicy", "PicoState", "PicoHTTP", "PicoFakes", "GIFTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "PicoChannelsTests",
            dependencies: [
                "PicoChannels", "PicoConfig", "PicoHTTP", "PicoSystem", "PicoFakes",
                .product(name: "Logging", package: "swift-log"),
            ]),
        /// Unit tests of the gateway's parts (they import PicoGateway).
        .testTarget(
            name: "PicoGatewayTests",
            dependencies: [
                "PicoGateway", "PicoState", "PicoAgent", "PicoChannels", "PicoConfig", "PicoHTTP", "PicoSystem",
                "PicoFakes",
                .product(name: "Logging", package: "swift-log"),
            ]),
        /// Black-box tests: the built `picoclaw` binary run as a user would (CLI, gateway, deploy artifacts).
        .testTarget(
            name: "PicoBinaryTests",
            dependencies: [
                "PicoState", "PicoAgent", "PicoConfig", "PicoHTTP", "PicoPolicy", "PicoSystem", "PicoFakes",
                "GIFTestSupport",
            ]),
        .testTarget(name: "PicoAuditTests", dependencies: ["PicoAudit", "PicoConfig", "PicoFakes"]),
        .testTarget(name: "PicoStateTests", dependencies: ["PicoState", "PicoFakes"]),
    ]
)
