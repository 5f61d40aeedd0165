/// The forms a digest can be written in.
public enum DigestFormat: String, Sendable, CaseIterable {
    /// Plain UTF-8 text, at most 80 columns, without colour: for cron mail and terminals.
    case text
    /// GitHub-flavoured Markdown with tables: for chat.
    case markdown
    /// One self-contained HTML5 page with inline CSS and SVG charts: for HTML mail and browsers.
    case html
    /// The digest's data, pretty-printed with sorted snake_case keys: for scripts. The schema is
    /// documented on ``Digest``.
    case json
}
