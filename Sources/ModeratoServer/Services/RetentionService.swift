import Foundation
import Logging
import ModerationStore
import ServiceLifecycle

/// Removes personal data (IP addresses, emails, user agents) from old comments every hour.
struct RetentionService: Service, CustomStringConvertible {
    let database: any CommentStore
    let days: Double
    let logger: Logger

    var description: String { "RetentionService(\(days) days)" }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // On a shared database, one daemon at a time purges; the others skip this round.
                let database = self.database
                let cutoff = Date().addingTimeInterval(-days * 86_400)
                let cleaned = try await database.exclusively("retention") { try await database.purgePersonalData(receivedBefore: cutoff) }
                if let cleaned, cleaned > 0 { logger.info("retention: removed personal data from old comments", metadata: ["comments": "\(cleaned)"]) }
            } catch {
                logger.error("retention: purge failed", metadata: ["error": "\((error as? StoreError)?.message ?? "\(error)")"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
