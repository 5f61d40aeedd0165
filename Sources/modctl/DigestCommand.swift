import ArgumentParser
import Foundation
import Moderation
import ModerationStore
import ModeratoReports

/// `modctl digest`: the report an editor reads every morning, made for cron.
struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Report what happened, what is waiting, and which rules are wrong (for cron).",
        discussion: """
            No colour, no prompts, no terminal needed. Exit 0 on success, 1 with one line on stderr on \
            failure, and 3 with --fail-if-backlog N when more than N comments are held.

            Example:
              modctl digest --since 24h --format html --output /var/lib/moderato/digest.html --time-zone Europe/London
            """)

    @OptionGroup var store: DatabaseOptions

    @Option(help: "Start of the period: \(TimeArguments.help).")
    var since = "24h"

    @Option(help: "End of the period (default: now): \(TimeArguments.help).")
    var until: String?

    @Option(help: "text (80 columns, for mail), markdown, html (self-contained) or json.")
    var format: String = "text"

    @Option(help: "Write the report to this file instead of standard output.")
    var output: String?

    @Option(help: "Held comments older than this many hours are over the service level.")
    var slaHours: Double = 12

    @Option(help: "The site's name, shown in the report's title.")
    var siteName: String?

    @Option(help: "Exit with status 3 when more than this many comments are held.")
    var failIfBacklog: Int?

    /// "Now" as an ISO 8601 time, for reproducible reports in tests (backlog ages, relative periods, footer).
    @Option(help: "Show times in this zone, such as Europe/London (default: $MODERATO_TIME_ZONE, else the system's). JSON is always UTC.")
    var timeZone: String?

    @Option(help: .hidden)
    var now: String?

    func validate() throws {
        guard TimeArguments.time(since) != nil else { throw ValidationError("--since must be \(TimeArguments.help)") }
        if let until, TimeArguments.time(until) == nil { throw ValidationError("--until must be \(TimeArguments.help)") }
        guard DigestFormat(rawValue: format) != nil else { throw ValidationError("--format must be text, markdown, html or json") }
        guard slaHours > 0 else { throw ValidationError("--sla-hours must be positive") }
        if let failIfBacklog, failIfBacklog < 0 { throw ValidationError("--fail-if-backlog must not be negative") }
        if let now, (try? Date(now, strategy: .iso8601)) == nil { throw ValidationError("--now must be an ISO 8601 time") }
        if let timeZone, TimeZone.named(timeZone) == nil {
            throw ValidationError("--time-zone \(timeZone) names no time zone; use a name such as Europe/London or UTC")
        }
    }

    func run() async throws {
        var backlog = 0
        try await reportingErrors {
            let now = try now.map { try Date($0, strategy: .iso8601) } ?? Date()
            let start = TimeArguments.time(since, now: now)!
            let end = until.flatMap { TimeArguments.time($0, now: now) } ?? now
            guard start < end else { throw CLIError("the period is empty: --since is not before --until") }
            let database = try await store.open(.readOnly)
            var builder = DigestBuilder(database: database)
            builder.slaHours = slaHours
            builder.now = now
            builder.siteName = siteName
            var digest = try await builder.build(from: start, to: end)
            digest.timeZone = timeZone.flatMap(TimeZone.named) ?? Output.timeZone
            backlog = digest.heldNow
            let report = try DigestRenderer.render(digest, as: DigestFormat(rawValue: format)!)
            if let output {
                do {
                    // Atomic replacement only for regular files: never rename over a device such as /dev/null.
                    var isDirectory: ObjCBool = false
                    let exists = FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory)
                    let isRegular = !exists || (try? FileManager.default.attributesOfItem(atPath: output)[.type] as? FileAttributeType) == .typeRegular
                    try report.write(toFile: output, atomically: isRegular, encoding: .utf8)
                } catch {
                    throw CLIError("cannot write \(output): \(error.localizedDescription)")
                }
            } else {
                FileHandle.standardOutput.write(Data((report.hasSuffix("\n") ? report : report + "\n").utf8))
            }
        }
        if let failIfBacklog, backlog > failIfBacklog {
            Output.error("\(backlog) comment\(backlog == 1 ? " is" : "s are") held, more than \(failIfBacklog)")
            throw ExitCode(3)
        }
    }
}
