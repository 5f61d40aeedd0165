import ArgumentParser
import Foundation
import Moderation
import ModerationStore

/// `modctl undo ID`
struct Undo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Undo the latest moderator decision on a comment, restoring its previous state.", discussion: "Example:\n  modctl undo c-1002 --as alice")

    @OptionGroup var store: DatabaseOptions
    @OptionGroup var moderator: ModeratorOptions

    @Argument(help: "The comment's id.")
    var id: String

    @Flag(help: "Undo even when another moderator made the decision.")
    var force = false

    func run() async throws {
        try await reportingErrors {
            let database = try await store.open()
            let decision = try await database.undo(id, actor: try moderator.moderator(), force: force, at: Date())
            Output.line("\(Output.safe(id)) is \(Output.statusStyled(decision.status)) again (\(Output.safe(decision.note ?? "undone")))")
        }
    }
}

/// `modctl log`
struct Log: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List decisions, newest first: who did what, when and why.", discussion: "Example:\n  modctl log --actor alice --since 24h")

    @OptionGroup var store: DatabaseOptions

    @Option(help: "Only decisions by this actor (a moderator's name, or moderato for the pipeline).")
    var actor: String?

    @Option(help: "Only decisions since: \(TimeArguments.help).")
    var since: String?

    @Option(help: "Show at most this many.")
    var limit = 100

    @Flag(help: "Print {\"decisions\": [...]} as JSON.")
    var json = false

    func validate() throws {
        if let since, TimeArguments.time(since) == nil { throw ValidationError("--since must be \(TimeArguments.help)") }
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        try await reportingErrors {
            let database = try await store.open(.readOnly)
            let entries = try await database.decisionLog(actor: actor, since: since.flatMap { TimeArguments.time($0) }, limit: limit)
            if json {
                struct Listing: Encodable { var decisions: [DecisionJSON] }
                try Output.json(Listing(decisions: entries.map(DecisionJSON.init)))
                return
            }
            if entries.isEmpty { Output.line("No decisions."); return }
            for entry in entries {
                let from = entry.previousStatus.map { "\($0.rawValue) → " } ?? ""
                var line = "#\(entry.seq)  \(Output.timestamp(entry.at))  \(Output.cell(entry.actor, 12)) "
                    + "\(Output.cell(entry.externalID, 14)) \(from)\(Output.statusStyled(entry.status))"
                if let reason = entry.reason { line += "  \(Output.safe(reason))" }
                if let note = entry.note { line += Output.styled("  — \(Output.safe(note))", .dim) }
                Output.line(line)
            }
        }
    }
}

/// `modctl block ...` and `modctl allow ...`
struct Block: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Block an IP address, network, email, author or domain: their comments are rejected.",
        discussion: "`modctl block ip 203.0.113.7` is short for `modctl block add ip 203.0.113.7`.\n\nExample:\n  modctl block ip 203.0.113.7 --expires 30d --reason \"comment flood\"",
        subcommands: [Add.self, List.self, Remove.self], defaultSubcommand: Add.self)

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case ip, network, email, author, domain
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a block.", discussion: "Example:\n  modctl block add domain spam.example --reason \"link farm\"")
        @OptionGroup var store: DatabaseOptions
        @OptionGroup var moderator: ModeratorOptions
        @Argument(help: "ip, network, email, author or domain.") var kind: Kind
        @Argument(help: "The value: 203.0.113.7, 203.0.113.0/24, name@example.org, an author name, spam.example.") var value: String
        @Option(help: "How long: 30d, 12h, ... (default: until removed).") var expires: String?
        @Option(help: "Why, for the record.") var reason: String?

        func validate() throws {
            if let expires, TimeArguments.duration(expires) == nil { throw ValidationError("--expires must be a length such as 30d or 12h") }
            switch kind {
            case .ip: guard IPAddress(value) != nil else { throw ValidationError("\(value) is not an IP address") }
            case .network:
                guard let address = value.split(separator: "/").first.flatMap({ IPAddress(String($0)) }), value.contains("/") else {
                    throw ValidationError("a network is written as CIDR, such as 203.0.113.0/24 or 2001:db8:1::/48")
                }
                _ = address
            case .email: guard value.contains("@") else { throw ValidationError("\(value) is not an email address") }
            case .domain: guard value.contains("."), !value.contains("/") else { throw ValidationError("give a domain such as spam.example") }
            case .author: break
            }
        }

        func run() async throws {
            try await reportingErrors {
                let database = try await store.open()
                let now = Date()
                var stored = value
                if kind == .network, let address = IPAddress(String(value.split(separator: "/")[0])) { stored = address.network }
                let expiry = expires.flatMap(TimeArguments.duration).map { now.addingTimeInterval($0) }
                try await database.addListEntry(list: "block", kind: kind.rawValue, value: stored, reason: reason,
                                                by: try moderator.moderator(), expiresAt: expiry, at: now)
                let until = expiry.map { " until \(Output.timestamp($0))" } ?? ""
                Output.line("blocked \(kind.rawValue) \(stored)\(until)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List blocks in force.", discussion: "Example:\n  modctl block list")
        @OptionGroup var store: DatabaseOptions
        @Flag(help: "Print {\"blocks\": [...]} as JSON.") var json = false

        func run() async throws {
            try await reportingErrors { try await printList("block", store: store, json: json) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a block.", discussion: "Example:\n  modctl block remove ip 203.0.113.7")
        @OptionGroup var store: DatabaseOptions
        @Argument(help: "ip, network, email, author or domain.") var kind: Kind
        @Argument(help: "The value as listed.") var value: String

        func run() async throws {
            try await reportingErrors {
                guard try await store.open().removeListEntry(list: "block", kind: kind.rawValue, value: value) else {
                    throw CLIError("no block on \(kind.rawValue) \(value); see modctl block list")
                }
                Output.line("unblocked \(kind.rawValue) \(value)")
            }
        }
    }
}

func printList(_ list: String, store: DatabaseOptions, json: Bool) async throws {
    let entries = try await store.open(.readOnly).listEntries(list: list, at: Date())
    if json {
        struct Item: Encodable { var kind: String; var value: String; var reason: String?; var by: String; var at: Date; var expires: Date? }
        let items = entries.map { Item(kind: $0.kind, value: $0.value, reason: $0.reason, by: $0.createdBy, at: $0.createdAt, expires: $0.expiresAt) }
        try Output.json([list == "block" ? "blocks" : "allows": items])
        return
    }
    if entries.isEmpty { Output.line(list == "block" ? "No blocks." : "Nothing allow-listed."); return }
    for entry in entries {
        let expiry = entry.expiresAt.map { "until \(Output.timestamp($0))" } ?? "no expiry"
        Output.line("\(Output.cell(entry.kind, 8)) \(Output.cell(entry.value, 30)) \(Output.cell(expiry, 26)) by \(Output.safe(entry.createdBy))"
            + (entry.reason.map { ": \(Output.safe($0))" } ?? ""))
    }
}

/// `modctl allow ...`
struct Allow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Allow-list an author, email or domain: approved unless a rule holds the comment.",
        discussion: "`modctl allow author Ann` is short for `modctl allow add author Ann`.\n\nExample:\n  modctl allow author \"Councillor Jones\"",
        subcommands: [Add.self, List.self, Remove.self], defaultSubcommand: Add.self)

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case author, email, domain
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Allow-list a value.", discussion: "Example:\n  modctl allow add domain council.example")
        @OptionGroup var store: DatabaseOptions
        @OptionGroup var moderator: ModeratorOptions
        @Argument(help: "author, email or domain.") var kind: Kind
        @Argument(help: "The value.") var value: String
        @Option(help: "Why, for the record.") var reason: String?

        func run() async throws {
            try await reportingErrors {
                try await store.open().addListEntry(list: "allow", kind: kind.rawValue, value: value, reason: reason,
                                                    by: try moderator.moderator(), expiresAt: nil, at: Date())
                Output.line("allow-listed \(kind.rawValue) \(value)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List allow-listed values.", discussion: "Example:\n  modctl allow list")
        @OptionGroup var store: DatabaseOptions
        @Flag(help: "Print {\"allows\": [...]} as JSON.") var json = false
        func run() async throws {
            try await reportingErrors { try await printList("allow", store: store, json: json) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a value from the allow-list.", discussion: "Example:\n  modctl allow remove author \"Councillor Jones\"")
        @OptionGroup var store: DatabaseOptions
        @Argument(help: "author, email or domain.") var kind: Kind
        @Argument(help: "The value as listed.") var value: String
        func run() async throws {
            try await reportingErrors {
                guard try await store.open().removeListEntry(list: "allow", kind: kind.rawValue, value: value) else {
                    throw CLIError("\(kind.rawValue) \(value) is not allow-listed")
                }
                Output.line("removed \(kind.rawValue) \(value) from the allow-list")
            }
        }
    }
}

/// `modctl article ...`
struct Article: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set how an article takes comments: open, premoderate (every comment held) or closed (refused).", discussion: "Example:\n  modctl article set court-case-12 --mode premoderate",
        subcommands: [Set.self, List.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set an article's mode (also before it has comments).", discussion: "Example:\n  modctl article set court-case-12 --mode premoderate --as editor")
        @OptionGroup var store: DatabaseOptions
        @OptionGroup var moderator: ModeratorOptions
        @Argument(help: "The article's id.") var article: String
        @Option(help: "open, premoderate or closed.") var mode: ArticleMode

        func run() async throws {
            try await reportingErrors {
                try await store.open().setArticleMode(article, mode: mode, by: try moderator.moderator(), at: Date())
                let effect = switch mode {
                case .open: "comments are judged as usual"
                case .premoderate: "every new comment waits for a moderator"
                case .closed: "new comments are rejected"
                }
                Output.line("article \(article) is \(mode.rawValue): \(effect)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List articles with their mode and comment counts.", discussion: "Example:\n  modctl article list")
        @OptionGroup var store: DatabaseOptions
        @Option(help: "Show at most this many.") var limit = 50
        @Flag(help: "Print {\"articles\": [...]} as JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let articles = try await store.open(.readOnly).articles(limit: limit)
                if json {
                    struct Item: Encodable { var id: String; var mode: String; var comments: Int; var held: Int }
                    try Output.json(["articles": articles.map { Item(id: $0.articleID, mode: $0.mode.rawValue, comments: $0.comments, held: $0.held) }])
                    return
                }
                if articles.isEmpty { Output.line("No articles yet."); return }
                Output.line(Output.styled(Output.cell("ARTICLE", 30) + " " + Output.cell("MODE", 12) + " " + Output.cell("COMMENTS", 9) + " HELD", .dim))
                for article in articles {
                    let mode = article.mode == .open ? article.mode.rawValue : Output.styled(article.mode.rawValue, .yellow)
                    Output.line(Output.cell(article.articleID, 30) + " " + mode + String(repeating: " ", count: max(1, 13 - article.mode.rawValue.count))
                        + Output.cell("\(article.comments)", 9) + " \(article.held)")
                }
            }
        }
    }
}

extension ArticleMode: ExpressibleByArgument {}
