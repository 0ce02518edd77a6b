import PicoFakes
import Testing
@testable import PicoConfig

@Suite struct FileSecretTests {
    @Test func readsValueFromFileAndTrimsOneNewline() throws {
        let dir = TempDir()
        let key = dir.write("secrets/openrouter_key", "sk-or-from-file\n", mode: 0o444)
        let port = dir.write("secrets/port", "8080\r\n")
        let loaded = try dir.load([
            "PICOCLAW_PROVIDERS_OPENROUTER_API_KEY_FILE": key, "PICOCLAW_GATEWAY_PORT_FILE": port,
        ])
        #expect(loaded.config.providers["openrouter"]?.apiKey.reveal() == "sk-or-from-file")
        #expect(loaded.config.gateway.port == 8080)
        #expect(
            loaded.origin(of: "providers.openrouter.api_key")
                == .envFile(name: "PICOCLAW_PROVIDERS_OPENROUTER_API_KEY_FILE", path: key))
        #expect(loaded.redactor.redact("key=sk-or-from-file") == "key=<redacted>")
        #expect(loaded.secretKeysInFile.isEmpty)
    }

    @Test func onlyOneTrailingNewlineIsTrimmed() throws {
        let dir = TempDir()
        let key = dir.write("k", "token-with-space \n\n")
        let loaded = try dir.load(["PICOCLAW_CHANNELS_DISCORD_TOKEN_FILE": key])
        #expect(loaded.config.channels.discord.token.reveal() == "token-with-space \n")
    }

    @Test func bothSetIsAnError() {
        let dir = TempDir()
        let key = dir.write("k", "v")
        let e = expectConfigError {
            _ = try dir.load(["PICOCLAW_CHANNELS_TELEGRAM_TOKEN": "a", "PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE": key])
        }
        #expect(e?.kind == .environment)
        #expect(
            e?.message
                == "both PICOCLAW_CHANNELS_TELEGRAM_TOKEN and PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE are set; use one")
    }

    @Test func emptyFileIsAnError() {
        let dir = TempDir()
        let key = dir.write("empty", "\n")
        let e = expectConfigError { _ = try dir.load(["PICOCLAW_PROVIDERS_OPENAI_API_KEY_FILE": key]) }
        #expect(e?.kind == .unreadableFile)
        #expect(e?.message == "PICOCLAW_PROVIDERS_OPENAI_API_KEY_FILE: \(key) is empty")
    }

    @Test func unreadableFileNamesVariableAndPath() {
        let dir = TempDir()
        let missing = dir.path + "/nope"
        let e = expectConfigError { _ = try dir.load(["PICOCLAW_PROVIDERS_OPENAI_API_KEY_FILE": missing]) }
        #expect(
            e?.message == "PICOCLAW_PROVIDERS_OPENAI_API_KEY_FILE: cannot read \(missing): No such file or directory")
        let e2 = expectConfigError { _ = try dir.load(["PICOCLAW_PROVIDERS_OPENAI_API_KEY_FILE": dir.path]) }
        #expect(e2?.message.contains("PICOCLAW_PROVIDERS_OPENAI_API_KEY_FILE: cannot read \(dir.path)") == true)
    }

    @Test func errorsNeverContainFileContent() {
        let dir = TempDir()
        let f = dir.write("port", "s3cr3t-content")
        let e = expectConfigError { _ = try dir.load(["PICOCLAW_GATEWAY_PORT_FILE": f]) }
        #expect(e?.message.contains("PICOCLAW_GATEWAY_PORT_FILE") == true)
        #expect(e?.message.contains(f) == true)
        #expect(e?.message.contains("s3cr3t") == false)
    }

    @Test func secretsEnvFile() throws {
        let dir = TempDir()
        let secrets = dir.write(
            "secrets.env",
            """
            # picoclaw secrets
            PICOCLAW_PROVIDERS_OPENROUTER_API_KEY=sk-or-v1-xxx

            export PICOCLAW_CHANNELS_TELEGRAM_TOKEN="123:quoted token"
            PICOCLAW_GATEWAY_PORT='1111'
            """)
        let loaded = try dir.load(["PICOCLAW_SECRETS_FILE": secrets, "PICOCLAW_GATEWAY_PORT": "2222"])
        #expect(loaded.config.providers["openrouter"]?.apiKey.reveal() == "sk-or-v1-xxx")
        #expect(loaded.config.channels.telegram.token.reveal() == "123:quoted token")
        #expect(loaded.config.gateway.port == 2222, "real environment wins over the secrets file")
        #expect(
            loaded.origin(of: "channels.telegram.token")
                == .secretsFile(name: "PICOCLAW_CHANNELS_TELEGRAM_TOKEN", path: secrets))
        #expect(loaded.secretsFilePath == secrets)
        #expect(loaded.redactor.redact("sk-or-v1-xxx 123:quoted token") == "<redacted> <redacted>")
    }

    @Test func secretsEnvFileErrors() {
        let dir = TempDir()
        let bad = dir.write("bad.env", "PICOCLAW_X=1\nthis line is wrong\n")
        let e = expectConfigError { _ = try dir.load(["PICOCLAW_SECRETS_FILE": bad]) }
        #expect(e?.message == "\(bad):2: expected KEY=VALUE in secrets file (PICOCLAW_SECRETS_FILE)")
        let open = dir.write("open.env", "PICOCLAW_CHANNELS_TELEGRAM_TOKEN=abcdef\n", mode: 0o644)
        let p = expectConfigError { _ = try dir.load(["PICOCLAW_SECRETS_FILE": open]) }
        #expect(p?.exitCode == 78)
        #expect(p?.message.contains("chmod 600 \(open)") == true)
        let missing = expectConfigError { _ = try dir.load(["PICOCLAW_SECRETS_FILE": dir.path + "/none.env"]) }
        #expect(missing?.kind == .unreadableFile)
    }
}
