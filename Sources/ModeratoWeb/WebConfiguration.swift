import Foundation
import Moderation
import ModerationStore

/// The browser review queue's settings (`ui.*` in the settings file).
public struct WebConfiguration: Sendable {
    /// The address moderators' browsers use when a proxy serves the queue (`https://moderation.example.org`).
    /// Pages are then answered for that host (and loopback addresses) only, forms accepted from that
    /// origin only, and the proxy on this machine trusted for the browser's address (`X-Forwarded-For`).
    /// Without it, only loopback addresses and IP literals are answered (no DNS name can be rebound
    /// to the daemon).
    public var publicURL: URL?

    /// The host and port a browser sends in `Host` for ``publicURL``: `moderation.example.org`, `example.org:8443`.
    var publicAuthority: String? {
        publicURL.flatMap { url in url.host.map { $0.lowercased() + (url.port.map { ":\($0)" } ?? "") } }
    }

    /// Marks the session cookie `Secure`, for a queue served over HTTPS by a proxy in front. The
    /// default is false (the daemon itself speaks plain HTTP on loopback).
    public var secureCookies = false
    /// How long a session lasts from sign-in. The default is 12 hours.
    public var sessionHours: Double = 12
    /// Wrong passwords in a row that lock an account, and for how long.
    public var login = LoginPolicy()
    /// Sign-in attempts one address may make in an hour, right or wrong. The default is 30.
    public var loginsPerAddressPerHour = 30
    /// The site's name, shown in the title and the digest.
    public var siteName: String?
    /// Held comments older than this many hours are over the service level (the digest's). The default is 12.
    public var slaHours: Double = 12
    /// The zone times are shown in: `MODERATO_TIME_ZONE`, else the system's (as `modctl` shows them).
    public var timeZone: TimeZone = ProcessInfo.processInfo.environment["MODERATO_TIME_ZONE"].flatMap(TimeZone.named) ?? .current
    /// A moderator's edit is checked against the same limits as a comment.
    public var limits: CommentLimits = .default
    /// How long a moderator's claim on the comment they look at lasts. The default is 10 minutes.
    public var claimSeconds: TimeInterval = 600
    /// The session cookie's name and path. Over HTTPS the name has the `__Host-` prefix, which browsers
    /// accept only from this exact host, over HTTPS, for the whole site: no sibling subdomain can plant
    /// one. (That needs the path `/`; the API never reads cookies.)
    var sessionCookie: (name: String, path: String) {
        secureCookies ? ("__Host-moderato_session", "/") : ("moderato_session", "/ui")
    }

    /// The sign-in form's own cookie, likewise.
    var loginCookie: (name: String, path: String) {
        secureCookies ? ("__Host-moderato_login", "/") : ("moderato_login", "/ui/login")
    }

    /// bcrypt's cost for passwords set through the queue.
    public var passwordCost: UInt8 = ModeratorPasswords.cost

    public init() {}
}
