import Crypto
import Foundation
import Hummingbird
import Judging
import Logging
import Moderation
import ModerationStore
@testable import ModeratoServer
import ModeratoTestSupport
import Testing

/// The OpenAPI document names exactly the routes the daemon registers, with the same methods.
@Suite struct OpenAPIDocumentTests {
    @Test func theDocumentNamesEveryRouteAndNoOther() throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        let logger = Logger(label: "openapi")
        let pipelines = PipelineController(Pipeline(ruleSet: .empty))
        let batcher = IngestBatcher(database: database, notifier: QueueNotifier(), depth: QueueDepth(0), logger: logger)
        var configuration = ServerConfiguration()
        configuration.apiToken = "token"
        let daemon = ModeratoDaemon(configuration: configuration, logger: logger)
        let router = daemon.makeRouter(database: database, pipelines: pipelines,
                                       worker: QueueWorker(database: database, pipelines: pipelines, notifier: QueueNotifier(), batchSize: 10, logger: logger),
                                       batcher: batcher, backpressure: Backpressure(depth: QueueDepth(0), batcher: batcher, maximum: 10),
                                       akismetKey: SymmetricKey(size: .bits256))
        // Router paths write captures as {id}, as OpenAPI does; both without a trailing slash.
        let registered = Set(router.routes.map { "\($0.method.rawValue) /\($0.path.description.trimmingCharacters(in: CharacterSet(charactersIn: "/")))" })
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var documented: Set<String> = []
        for (path, operations) in paths {
            for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        #expect(registered.subtracting(documented).isEmpty, "routes missing from the document: \(registered.subtracting(documented).sorted())")
        #expect(documented.subtracting(registered).isEmpty, "documented routes that do not exist: \(documented.subtracting(registered).sorted())")
        #expect(document["openapi"] as? String == "3.1.0")
    }
}
