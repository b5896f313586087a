import Testing
@testable import fsctl

/// `serve` and `tokens` parsed without running.
@Suite struct ServeParsingTests {
    @Test func globalOptionsGoAfterTheLeafOfACommandGroup() {
        #expect(FSCtl.hoistingGlobalOptions(["--store", "s", "tokens", "list"]) == ["tokens", "list", "--store", "s"])
        #expect(FSCtl.hoistingGlobalOptions(["--json", "tokens", "create", "--scope", "read"])
                == ["tokens", "create", "--json", "--scope", "read"])
        #expect(FSCtl.hoistingGlobalOptions(["--store", "s", "tokens", "--help"]) == ["tokens", "--store", "s", "--help"])
    }

    @Test func serveOptions() throws {
        let parsed = try FSCtl.parseAsRoot(["serve", "--host", "0.0.0.0", "--port", "7000", "--http-port", "7001", "--read-only",
                                            "--require-auth", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--max-connections", "8",
                                            "--max-frame-bytes", "4096", "--max-entities", "10", "--max-rows", "20",
                                            "--max-in-flight", "2", "--threads", "1"])
        let serve = try #require(parsed as? ServeCommand)
        #expect(serve.host == "0.0.0.0" && serve.port == 7000 && serve.httpPort == 7001)
        #expect(serve.readOnly && serve.requireAuth && serve.tlsCert == "c.pem" && serve.tlsKey == "k.pem")
        #expect(serve.maxConnections == 8 && serve.maxFrameBytes == 4096 && serve.maxEntities == 10)
        #expect(serve.maxRows == 20 && serve.maxInFlight == 2 && serve.threads == 1)
        let defaults = try #require(try FSCtl.parseAsRoot(["serve"]) as? ServeCommand)
        #expect(defaults.host == "127.0.0.1" && defaults.port == 6570 && defaults.httpPort == nil && !defaults.readOnly)
        #expect(defaults.idleTimeout == 300)
        #expect(try #require(try FSCtl.parseAsRoot(["serve", "--idle-timeout", "0"]) as? ServeCommand).idleTimeout == 0)
        #expect(throws: (any Error).self) { _ = try FSCtl.parseAsRoot(["serve", "--idle-timeout", "-1"]) }
    }

    @Test func serveRefusesHalfATLSPairAndBadLimits() {
        #expect(throws: (any Error).self) { _ = try FSCtl.parseAsRoot(["serve", "--tls-cert", "c.pem"]) }
        #expect(throws: (any Error).self) { _ = try FSCtl.parseAsRoot(["serve", "--max-in-flight", "0"]) }
        #expect(throws: (any Error).self) { _ = try FSCtl.parseAsRoot(["serve", "--port", "70000"]) }
        // Logging predictions writes to the store.
        #expect(throws: (any Error).self) { _ = try FSCtl.parseAsRoot(["serve", "--log-predictions", "--read-only"]) }
        #expect((try? FSCtl.parseAsRoot(["serve", "--log-predictions"]) as? ServeCommand)?.logPredictions == true)
    }

    @Test func tokenScopes() throws {
        let create = try #require(try FSCtl.parseAsRoot(["tokens", "create", "--scope", "write", "--name", "job"]) as? TokensCommand.Create)
        #expect(create.scope == "write" && create.name == "job")
        #expect(throws: (any Error).self) { _ = try FSCtl.parseAsRoot(["tokens", "create", "--scope", "root"]) }
        #expect(throws: (any Error).self) { _ = try FSCtl.parseAsRoot(["tokens", "create"]) }
        let revoke = try #require(try FSCtl.parseAsRoot(["tokens", "revoke", "3f9a"]) as? TokensCommand.Revoke)
        #expect(revoke.id == "3f9a")
    }
}
