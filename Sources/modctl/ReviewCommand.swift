import ArgumentParser
import Foundation
import Judging
import Moderation
import ModerationStore

/// `modctl review`: work through held comments one key at a time.
struct Review: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Review held comments interactively, oldest first: one key per decision.",
        discussion: """
            a approve · r reject (pick a reason) · s skip · b block the author · o details · u undo · q quit
            Safe to quit at any moment. While you look at a comment it is claimed, so another moderator \
            reviewing at the same time gets a different one.

            Example:
              modctl review --as alice
            """)

    @OptionGroup var store: DatabaseOptions
    @OptionGroup var moderator: ModeratorOptions

    static let claimSeconds: TimeInterval = 600

    func run() async throws {
        try await reportingErrors {
            let name = try moderator.moderator()
            let database = try await store.open()
            let terminal = try RawTerminal()
            defer {
                terminal.restore()
            }
            var session = ReviewSession(database: database, moderator: name, terminal: terminal)
            try await session.run()
            try? await database.releaseClaims(moderator: name)
            terminal.restore()
            Output.line(session.summary)
        }
    }
}

/// The state of one review session.
struct ReviewSession {
    let database: any CommentStore
    let moderator: String
    let terminal: RawTerminal
    var skipped: Set<String> = []
    var decided: [String] = []
    var counts: [String: Int] = [:]
    var message: String?

    init(database: any CommentStore, moderator: String, terminal: RawTerminal) {
        self.database = database
        self.moderator = moderator
        self.terminal = terminal
    }

    var summary: String {
        let parts = ["approved", "rejected", "skipped", "undone"].compactMap { key in counts[key].map { "\($0) \(key)" } }
        return parts.isEmpty ? "Nothing decided." : "Review done: " + parts.joined(separator: ", ") + "."
    }

    static let help = "[a]pprove  [r]eject  [s]kip  [b]lock author  [o] details  [u]ndo  [q]uit"

    mutating func run() async throws {
        while true {
            guard let comment = try await database.claimNextHeld(moderator: moderator, excluding: skipped, ttl: Review.claimSeconds, at: Date()) else {
                terminal.clear()
                terminal.write((message.map { Output.safe($0) + "\n\n" } ?? "") + Output.styled("No more held comments to review. The queue is clear.", .green) + "\n")
                return
            }
            guard let details = try await database.details(of: comment.externalID) else { continue }
            let held = try await database.statusCounts()[.held] ?? 0
            terminal.clear()
            if let message { terminal.write(Output.styled(Output.safe(message), .yellow) + "\n\n") }
            message = nil
            terminal.write(Output.styled("\(held) held", .bold) + " · reviewing as \(moderator)\n\n")
            terminal.write(CommentRenderer.render(details) + "\n\n" + Output.styled(Self.help, .bold) + "\n")
            guard try await handleKey(for: details) else { return }
        }
    }

    /// Handles keys for one comment; false to quit.
    mutating func handleKey(for details: CommentDetails) async throws -> Bool {
        let id = details.comment.externalID
        while true {
            guard let key = terminal.readKey() else { return false }
            switch key {
            case UInt8(ascii: "a"):
                await decide(id, .approved, reason: nil, note: nil)
                return true
            case UInt8(ascii: "r"):
                guard let (reason, note) = askReason() else { message = "Not rejected."; return true }
                await decide(id, .rejected, reason: reason, note: note)
                return true
            case UInt8(ascii: "s"):
                skipped.insert(id)
                counts["skipped", default: 0] += 1
                return true
            case UInt8(ascii: "b"):
                terminal.write("\nBlock author \(Output.safe(details.comment.author)) and reject this comment? [y/N] ")
                guard terminal.readKey() == UInt8(ascii: "y") else { message = "Not blocked."; return true }
                if await decide(id, .rejected, reason: "abuse", note: "author blocked", blockingAuthor: true) {
                    message = (message ?? "") + " Author \(details.comment.author) is blocked."
                }
                return true
            case UInt8(ascii: "o"):
                terminal.clear()
                terminal.write(try await DetailsRenderer.render(details, database: database) + "\n\n" + Output.styled("Press any key to go back", .dim) + "\n")
                _ = terminal.readKey()
                terminal.clear()
                terminal.write(CommentRenderer.render(details) + "\n\n" + Output.styled(Self.help, .bold) + "\n")
            case UInt8(ascii: "u"):
                guard let last = decided.popLast() else {
                    terminal.write(Output.styled("Nothing to undo in this session.\n", .yellow))
                    continue
                }
                do {
                    let decision = try await database.undo(last, actor: moderator, at: Date())
                    counts["undone", default: 0] += 1
                    message = "Undid your decision on \(last): it is \(decision.status.rawValue) again."
                } catch {
                    message = "Cannot undo \(last): \(error.message)"
                }
                return true
            case UInt8(ascii: "q"), 0x03, 0x04:
                return false
            default:
                terminal.write(Output.styled("Keys: \(Self.help)\n", .dim))
            }
        }
    }

    /// Asks for a standard reason (a digit) and an optional note.
    func askReason() -> (String, String?)? {
        let reasons = RejectionReason.allCases
        let menu = reasons.enumerated().map { "\($0.offset + 1) \($0.element.rawValue)" }.joined(separator: "  ")
        terminal.write("\nReason: \(menu)   (Esc to cancel) ")
        while let key = terminal.readKey() {
            if key == 0x1B || key == 0x03 || key == UInt8(ascii: "q") { return nil }
            if key >= UInt8(ascii: "1"), key < UInt8(ascii: "1") + UInt8(reasons.count) {
                let reason = reasons[Int(key - UInt8(ascii: "1"))]
                terminal.write(reason.rawValue + "\n")
                let note = terminal.readLine(prompt: "Note (Enter to skip): ")
                return (reason.rawValue, note.isEmpty ? nil : note)
            }
        }
        return nil
    }

    /// Decides (rejecting and blocking the author in one transaction when asked); true when it was recorded.
    @discardableResult
    mutating func decide(_ id: String, _ verdict: Verdict, reason: String?, note: String?, blockingAuthor: Bool = false) async -> Bool {
        do {
            let decider = Decider(store: database)
            if blockingAuthor {
                try await decider.rejectAndBlockAuthor(id, actor: moderator, reason: reason ?? "abuse", note: note, at: Date())
            } else {
                try await decider.decide(id, verdict: verdict, actor: moderator, reason: reason, note: note, at: Date())
            }
            decided.append(id)
            counts[verdict.rawValue, default: 0] += 1
            message = "\(verdict == .approved ? "Approved" : "Rejected") \(id)."
            return true
        } catch where error.code == .alreadyDecided {
            // Someone else got there first: say who, and move on.
            message = "Too late: \(error.message.replacingOccurrences(of: "; pass --force to override", with: ""))."
        } catch {
            message = "Could not decide \(id): \(error)"
        }
        return false
    }
}
