import Foundation
import ModeratoTestSupport
import Testing

/// `Scripts/install.sh` into a temporary root (`--root`, with this build's binaries): the files a
/// service needs, with their modes; units systemd accepts; the installed daemon runs from there with
/// the installed settings, tells systemd when it is ready; a live database is backed up while
/// comments arrive and restored; installing again keeps settings and token; uninstalling keeps the data.
@Suite(.serialized) struct InstallTests {
    static let script = TestPaths.packageRoot.appendingPathComponent("Scripts/install.sh").path
    static let uninstall = TestPaths.packageRoot.appendingPathComponent("Scripts/uninstall.sh").path

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    static func install(_ root: String) throws -> CommandResult {
        try CommandRunner.runProgram("/bin/bash", [script, "--root", root, "--binaries", TestPaths.binDirectory.path])
    }

    @Test func installsRunsBacksUpRestoresAndUninstalls() async throws {
        let directory = TemporaryDirectory("install")
        let root = directory.path("root")
        let installed = try Self.install(root)
        #expect(installed.status == 0, "\(installed.stderr)")

        // The files, with their modes.
        let bin = "\(root)/usr/local/bin"
        #expect(FileManager.default.isExecutableFile(atPath: "\(bin)/moderatod") && FileManager.default.isExecutableFile(atPath: "\(bin)/modctl"))
        #expect(try Self.mode("\(root)/var/lib/moderato") == 0o700)
        #expect(try Self.mode("\(root)/etc/moderato/moderato.yml") == 0o640)
        #expect(try Self.mode("\(root)/etc/moderato/moderato.env") == 0o640)
        let settings = try String(contentsOfFile: "\(root)/etc/moderato/moderato.yml", encoding: .utf8)
        #expect(settings.contains("rules: [/usr/local/share/moderato/Rules]") && !settings.contains("@PREFIX@"))
        let environment = try String(contentsOfFile: "\(root)/etc/moderato/moderato.env", encoding: .utf8)
        let token = try #require(environment.split(separator: "\n").first { $0.hasPrefix("MODERATO_API_TOKEN=") }?.dropFirst(19))
        #expect(token.count == 64, "a 256-bit token in hex")
        let unit = try String(contentsOfFile: "\(root)/etc/systemd/system/moderato.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/moderatod --config /etc/moderato/moderato.yml"))
        for line in ["Type=notify", "ExecReload=/bin/kill -HUP $MAINPID", "NoNewPrivileges=yes", "ProtectSystem=strict",
                     "ReadWritePaths=/var/lib/moderato", "PrivateTmp=yes", "CapabilityBoundingSet=\n"] {
            #expect(unit.contains(line), "moderato.service has \(line)")
        }
        #expect(FileManager.default.fileExists(atPath: "\(root)/etc/systemd/system/moderato-digest.timer"))
        #expect(FileManager.default.fileExists(atPath: "\(root)/usr/local/share/moderato/Models/moderato.model"))
        let bash = try String(contentsOfFile: "\(root)/usr/local/share/bash-completion/completions/modctl", encoding: .utf8)
        #expect(bash.contains("complete") && bash.contains("digest"))
        #expect(FileManager.default.fileExists(atPath: "\(root)/usr/local/share/zsh/site-functions/_modctl"))
        #expect(FileManager.default.fileExists(atPath: "\(root)/usr/local/share/fish/vendor_completions.d/modctl.fish"))

        // systemd reads the units without complaint (their paths moved under the root), and rates the
        // service's hardening "OK" or better (Scripts/test.sh installs systemd-analyze when missing).
        do {
            let units = directory.path("units")
            try FileManager.default.createDirectory(atPath: units, withIntermediateDirectories: true)
            for name in ["moderato.service", "moderato-digest.service", "moderato-digest.timer"] {
                let text = try String(contentsOfFile: "\(root)/etc/systemd/system/\(name)", encoding: .utf8)
                try text.replacingOccurrences(of: "/usr/local", with: "\(root)/usr/local").write(toFile: "\(units)/\(name)", atomically: true, encoding: .utf8)
            }
            let verified = try CommandRunner.runProgram("/usr/bin/systemd-analyze", ["verify"] + ["moderato.service", "moderato-digest.service",
                                                        "moderato-digest.timer"].map { "\(units)/\($0)" })
            #expect(verified.status == 0 && verified.stderr.isEmpty, "\(verified.stdout)\(verified.stderr)")
            let security = try CommandRunner.runProgram("/usr/bin/systemd-analyze", ["security", "--offline=true", "\(units)/moderato.service"])
            let exposure = security.stdout.range(of: #"exposure level for moderato.service: ([0-9.]+)"#, options: .regularExpression)
                .flatMap { Double(security.stdout[$0].split(separator: " ").last!) }
            #expect(exposure.map { $0 <= 4 } == true, "systemd-analyze security: \(security.stdout.suffix(200))")
        }

        // The installed daemon, with the installed settings (paths moved under the root), says when it is ready.
        let database = "\(root)/var/lib/moderato/moderato.sqlite"
        let notify = try NotifySocket(directory: directory)
        let arguments = ["--config", "\(root)/etc/moderato/moderato.yml", "--model", "\(root)/usr/local/share/moderato/Models/moderato.model"]
        var daemon = try await DaemonHarness.start(extraArguments: arguments, rules: ["\(root)/usr/local/share/moderato/Rules"],
                                                   token: String(token), environment: ["NOTIFY_SOCKET": notify.path],
                                                   directory: directory, database: database,
                                                   executable: URL(fileURLWithPath: "\(bin)/moderatod"))
        let ready = try await notify.waitFor("READY=1")
        #expect(ready.contains("STATUS=listening on http://127.0.0.1:\(daemon.port)"))

        // Comments keep arriving while `modctl backup` copies the live database.
        let acknowledgedBeforeBackup = try await Self.post(daemon, from: 0, count: 40)
        let backup = directory.path("backup.sqlite")
        async let backedUp = Task.detached {
            try CommandRunner.runProgram("\(bin)/modctl", ["backup", "--database", database, backup])
        }.value
        let during = try await Self.post(daemon, from: 40, count: 60)
        let result = try await backedUp
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.mode(backup) == 0o600)
        #expect(during.count == 60, "the daemon kept accepting during the backup")
        #expect(try await daemon.stop() == 0)
        #expect(notify.receive().contains { $0.contains("STOPPING=1") }, "systemd hears that the daemon stops")

        // Restore: the copy in place of the database, and the daemon starts from it.
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: database)
        daemon = try await DaemonHarness.start(extraArguments: arguments, rules: ["\(root)/usr/local/share/moderato/Rules"],
                                               token: String(token), directory: directory, database: database,
                                               executable: URL(fileURLWithPath: "\(bin)/moderatod"))
        for id in acknowledgedBeforeBackup {
            #expect(try await daemon.get("/v1/comments/\(id)").status == 200, "\(id), acknowledged before the backup, is in it")
        }
        #expect(try await daemon.stop() == 0)
        #expect(try CommandRunner.runProgram("\(bin)/modctl", ["recount", "--check", "--database", database]).status == 0)

        // Installing again (an upgrade) keeps the site's settings and token.
        try (settings + "# edited by the site\n").write(toFile: "\(root)/etc/moderato/moderato.yml", atomically: true, encoding: .utf8)
        let again = try Self.install(root)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try String(contentsOfFile: "\(root)/etc/moderato/moderato.yml", encoding: .utf8).hasSuffix("# edited by the site\n"))
        #expect(FileManager.default.fileExists(atPath: "\(root)/etc/moderato/moderato.yml.new"))
        #expect(try String(contentsOfFile: "\(root)/etc/moderato/moderato.env", encoding: .utf8) == environment)

        // Uninstalling removes the programs and units, and keeps the data and the settings.
        let removed = try CommandRunner.runProgram("/bin/bash", [Self.uninstall, "--root", root])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(bin)/moderatod"))
        #expect(!FileManager.default.fileExists(atPath: "\(root)/etc/systemd/system/moderato.service"))
        #expect(!FileManager.default.fileExists(atPath: "\(root)/usr/local/share/moderato"))
        #expect(FileManager.default.fileExists(atPath: database))
        #expect(FileManager.default.fileExists(atPath: "\(root)/etc/moderato/moderato.env"))
    }

    @Test func badArgumentsAreRefusedClearly() throws {
        let unknown = try CommandRunner.runProgram("/bin/bash", [Self.script, "--frobnicate"])
        #expect(unknown.status == 64 && unknown.stderr.contains("unknown argument --frobnicate"))
        let relative = try CommandRunner.runProgram("/bin/bash", [Self.script, "--prefix", "usr/local"])
        #expect(relative.status == 64 && relative.stderr.contains("absolute path"))
        let missing = try CommandRunner.runProgram("/bin/bash", [Self.script, "--root", TemporaryDirectory("install").path("root"),
                                                                  "--binaries", "/nonexistent"])
        #expect(missing.status == 1 && missing.stderr.contains("/nonexistent/moderatod is missing"))
        let help = try CommandRunner.runProgram("/bin/bash", [Self.script, "--help"])
        #expect(help.status == 0 && help.stdout.contains("--prefix DIR"))
    }

    /// Posts `count` comments one by one; returns the ids the daemon acknowledged (202).
    static func post(_ daemon: DaemonHarness, from start: Int, count: Int) async throws -> [String] {
        var acknowledged: [String] = []
        for index in start..<start + count {
            let id = "install-\(index)"
            let response = try await daemon.post("/v1/comments", json: commentJSON(id: id, body: "Comment \(index) on the harbour plans."))
            if response.status == 202 { acknowledged.append(id) }
        }
        return acknowledged
    }
}
