import Crypto
import Foundation
import Judging
import Hummingbird
import Logging
import Moderation
import ModerationStore
@testable import ModeratoServer
import ModeratoTestSupport
import Testing

/// The Akismet form decoder answers every input: a form of any bytes gives fields, the fields a
/// comment that validation accepts or refuses with a message, and an accepted one fits the database.
@Suite struct AkismetFormFuzzTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func everyFormGivesAValidCommentOrAClearRefusal() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        let logger = Logger(label: "fuzz")
        let batcher = IngestBatcher(database: database, notifier: QueueNotifier(), depth: QueueDepth(0), logger: logger)
        let pipelines = PipelineController(Pipeline(ruleSet: .empty))
        let routes = AkismetRoutes<BasicRequestContext>(
            configuration: AkismetConfiguration(), apiToken: "token", database: database, pipelines: pipelines,
            worker: QueueWorker(database: database, pipelines: pipelines, notifier: QueueNotifier(), batchSize: 10, logger: logger),
            batcher: batcher,
            backpressure: Backpressure(depth: QueueDepth(0), batcher: batcher, maximum: 100), bodyDeadline: .seconds(5),
            isJudgingPaused: false, idKey: SymmetricKey(size: .bits256))
        let seed = "api_key=token&blog=https%3A%2F%2Fsite.example&user_ip=203.0.113.9&permalink=https%3A%2F%2Fsite.example%2Fn%2F1"
            + "&comment_author=Ann+Lee&comment_author_email=ann%40example.org&comment_content=Nice+piece%21&rating=4"
            + "&comment_date_gmt=2026-11-29T07%3A30%3A00Z&honeypot_field_name=hp&hp="
        let interesting = ["%", "%0", "%00", "%C3", "%E2%80%AE", "%1B", "&", "=", "+", "%2B", "\u{0}", "\u{301}", "%CC%81", "rating=9",
                           "user_ip=999.1.1.1", "permalink=" + String(repeating: "e%CC%81", count: 210), "comment_author=%20%20"]
        var generator = Generator(state: 0xA415)
        var valid = 0
        let iterations = ProcessInfo.processInfo.environment["MODERATO_FUZZ_ITERATIONS"].flatMap(Int.init).map { $0 / 10 } ?? 3_000
        for iteration in 0..<iterations {
            var form = Array(seed.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = Int.random(in: 0...form.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: form.insert(contentsOf: Array(interesting.randomElement(using: &generator)!.utf8), at: position)
                case 1 where !form.isEmpty: form.remove(at: min(position, form.count - 1))
                default: form.insert(UInt8.random(in: 0...255, using: &generator), at: position)
                }
            }
            let fields = AkismetRoutes<BasicRequestContext>.parse(String(decoding: form, as: UTF8.self))
            let comment = routes.comment(from: fields)
            do {
                try CommentDecoder().validate(comment)
            } catch {
                #expect(!error.message.isEmpty, "iteration \(iteration)")
                continue
            }
            valid += 1
            // What validation accepts, the database stores (a sample, to keep the test quick).
            if valid % 25 == 1 {
                let outcome = try await database.accept([comment], at: Date())
                #expect(outcome.count == 1, "iteration \(iteration)")
            }
        }
        #expect(valid > 0)
    }
}
