import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Moderation
import ModerationStore
import NIOCore

/// The daemon's request context: Hummingbird's basics and the peer's address (sign-in attempts are
/// limited per address).
public struct DaemonContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}

/// What a signed-in browser's session holds. The store keeps it under a hash of the cookie.
public struct WebSession: Codable, Sendable {
    /// The account's name.
    var moderator: String
    /// The token every form of this session carries (compared with the form's on each POST).
    var csrf: String
    /// The account's `passwordChangedAt` when the session opened: a changed password ends the session.
    var passwordStamp: Double
    /// Comments skipped in this session's review, so "next" moves on.
    var skipped: [String] = []
    /// A line to show on the next page ("Approved c-17.").
    var notice: String?
}

/// The context of the `/ui/` routes: the session, the signed-in moderator and the submitted form.
public struct WebContext: ChildRequestContext, SessionRequestContext, RemoteAddressRequestContext {
    public typealias ParentContext = DaemonContext
    public var coreContext: CoreRequestContextStorage
    public let sessions: SessionContext<WebSession>
    public let remoteAddress: SocketAddress?
    /// Set by ``SignedInMiddleware``.
    var moderator: ModeratorAccount?
    /// A POSTed form's fields, read and checked by ``SignedInMiddleware``.
    var form: [String: String] = [:]

    public init(context: DaemonContext) throws {
        // The parent's storage, with the route's parameters already read.
        self.coreContext = context.coreContext
        self.sessions = .init()
        self.remoteAddress = context.remoteAddress
    }

    /// The peer's address without its port.
    var peer: String {
        remoteAddress?.ipAddress ?? "unknown"
    }

    /// The browser's address, for sign-in limits and logs: the peer's, or, when a proxy is declared
    /// (``WebConfiguration/publicURL``) and the peer is on this machine, the address that proxy appended
    /// last to `X-Forwarded-For`.
    func client(of request: Request, behindProxy: Bool) -> String {
        let peer = peer
        guard behindProxy, let address = IPAddress(peer),
              address.bytes.count == 4 ? address.bytes[0] == 127 : address.bytes == Array(repeating: 0, count: 15) + [1],
              let forwarded = request.headers[.xForwardedFor]?.split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
              let client = IPAddress(forwarded) else { return peer }
        return client.description
    }
}
