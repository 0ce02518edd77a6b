import FoundationEssentials
import Glibc
import PicoFakes
import Testing
@testable import PicoConfig

@Suite struct SecretTests {
    let secret = Secret("sk-live-abcdef")

    @Test func neverPrintsItself() throws {
        #expect(String(describing: secret) == "<redacted>")
        #expect(String(reflecting: secret) == "Secret(<redacted>)")
        #expect("\(secret)" == "<redacted>")
        #expect(secret.debugDescription.contains("sk-live") == false)
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("sk-live"))
        let provider = ProviderConfig(apiKey: secret)
        #expect(!String(describing: provider).contains("sk-live"))
        #expect(!String(reflecting: provider).contains("sk-live"))
        var dumpedProvider = ""
        dump(provider, to: &dumpedProvider)
        #expect(!dumpedProvider.contains("sk-live"))
        let data = try JSONEncoder().encode(["key": secret])
        #expect(String(decoding: data, as: UTF8.self) == #"{"key":"<redacted>"}"#)
        #expect(secret.reveal() == "sk-live-abcdef")
        #expect(Secret("").description == "")
        #expect(Secret.empty.isEmpty)
    }

    @Test func configShowRedacts() throws {
        let dir = TempDir()
        dir.config(
            #"{"providers": {"anthropic": {"api_key": "sk-ant-file"}}, "channels": {"telegram": {"token": "123:file-token"}}}"#
        )
        let loaded = try dir.load(["PICOCLAW_CHANNELS_DISCORD_TOKEN": "discord-env-token"])
        for showOrigin in [false, true] {
            let json = loaded.effectiveJSON(showOrigin: showOrigin)
            #expect(
                !json.contains("sk-ant-file") && !json.contains("file-token") && !json.contains("discord-env-token"))
            #expect(json.contains("\"api_key\": \"<redacted>\""))
        }
        let withOrigin = loaded.effectiveJSON(showOrigin: true)
        #expect(withOrigin.contains("\"channels.discord.token\": \"env PICOCLAW_CHANNELS_DISCORD_TOKEN\""))
        #expect(withOrigin.contains("\"gateway.port\": \"default\""))
        #expect(withOrigin.contains("\"providers.anthropic.api_key\": \"file \(dir.path)/config.json\""))
        // The JSON output parses and round-trips as a config file without unknown keys.
        let plain = loaded.effectiveJSON(showOrigin: false)
        let copy = TempDir()
        copy.config(plain)
        #expect(try copy.load().warnings.isEmpty)
    }

    @Test func redactorReplacesAllSecrets() throws {
        let dir = TempDir()
        let f = dir.write("tok", "file-secret-123\n")
        dir.config(
            #"{"providers": {"openai": {"api_key": "sk-file/with+chars"}}, "model_list": [{"api_key": "sk-model-list-key"}]}"#
        )
        let loaded = try dir.load([
            "PICOCLAW_CHANNELS_TELEGRAM_TOKEN": "123456:ABC-env", "PICOCLAW_CHANNELS_DISCORD_TOKEN_FILE": f,
        ])
        let r = loaded.redactor
        #expect(
            r.redact("a 123456:ABC-env b file-secret-123 c sk-file/with+chars d")
                == "a <redacted> b <redacted> c <redacted> d")
        #expect(r.redact("url?key=sk-file%2Fwith%2Bchars&x") == "url?key=<redacted>&x", "percent-encoded form")
        #expect(r.redact(#"{"k":"sk-file\/with+chars"}"#) == #"{"k":"<redacted>"}"#, "JSON-escaped form")
        #expect(r.redact("sk-model-list-key") == "<redacted>")
        #expect(r.redact("nothing here") == "nothing here")
        #expect(SecretRedactor.none.redact("sk-file/with+chars") == "sk-file/with+chars")
    }

    @Test func redactorPrefersLongestAndSkipsShort() {
        let r = SecretRedactor(secretValues: ["abcd", "abcdefgh", "xyz", ""])
        #expect(r.redact("abcdefgh abcd xyz") == "<redacted> <redacted> xyz")
        #expect(r.redact("ééabcdéé") == "éé<redacted>éé")
    }

    @Test func redactorIsFast() {
        let secrets = (0..<5).map { "sk-secret-\($0)-" + String(repeating: "q", count: 30) }
        let r = SecretRedactor(secretValues: secrets)
        var line = String(repeating: "The quick brown fox jumps over the lazy dog; ", count: 22)
        line += secrets[2]
        let iterations = 2000
        var out = ""
        // CPU time of this thread, not wall time: on a loaded machine the wall clock also counts the time other
        // processes had the core (a synchronous loop: no suspension, no change of thread).
        func threadCPUMicros() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) * 1e6 + Double(t.tv_nsec) / 1e3
        }
        let started = threadCPUMicros()
        for _ in 0..<iterations { out = r.redact(line) }
        let micros = (threadCPUMicros() - started) / Double(iterations)
        #expect(out.hasSuffix("<redacted>"))
        print("redactor: \(line.utf8.count)-byte line, 5 secrets: \(micros) µs of CPU per line")
        #expect(micros < 500)
    }
}
