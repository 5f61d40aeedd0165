import Foundation
@testable import ModeratoReports
import ModeratoTestSupport
import Testing

/// The digest's text handling (sanitizing, wrapping, cutting, tables, HTML and Markdown escaping)
/// runs in time linear in what readers wrote: 60 KB of any adversarial shape may take at most 120
/// times as long as 1 KB (see the pipeline's `LinearTimeTests`).
@Suite(.serialized) struct DigestLinearTimeTests {
    struct Step: Sendable, CustomStringConvertible {
        var name: String
        var work: @Sendable (String) -> Void
        var description: String { name }
    }

    static let steps: [Step] = [
        Step(name: "sanitize") { _ = TextLayout.sanitize($0) },
        Step(name: "width") { _ = TextLayout.width($0) },
        Step(name: "truncate") { _ = TextLayout.truncate($0, to: 40) },
        Step(name: "wrap") { _ = TextLayout.wrap($0, width: 80, firstIndent: "  - ", indent: "    ") },
        Step(name: "table") { text in
            var table = TextTable([("Author", .left), ("Rejected", .right)])
            table.append([text, "3"])
            _ = table.lines()
        },
        Step(name: "HTML escaping") { _ = HTMLDigestRenderer.escape($0) },
        Step(name: "Markdown escaping") { _ = MarkdownDigestRenderer.text($0); _ = MarkdownDigestRenderer.code($0) },
    ]

    @Test(arguments: steps)
    func stepIsLinear(_ step: Step) async {
        let results = await Timing.onOwnThread {
            AdversarialText.shapes.map { shape in (shape.name, Timing.growth(of: step.work, on: shape, limit: Timing.linearLimit)) }
        }
        for (shape, (ratio, at)) in results {
            #expect(ratio <= Timing.linearLimit, "\(step.name) on \(shape): \(at / 1024) KB took \(Int(ratio))× the time of 1 KB")
        }
    }
}
