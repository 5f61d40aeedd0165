import Foundation
import PCRE2

/// Runs a rule set over a comment and turns hits into signals.
///
/// A rule that hits a PCRE2 limit or fails does not pass silently: it becomes a `rule_error` signal that
/// holds the comment, so a runaway pattern can never let a comment through.
public enum RuleEngine {
    /// Signals for every rule that hit, in rule order (shadow rules included, marked as shadow).
    public static func evaluate(_ ruleSet: RuleSet, on analysis: CommentAnalysis) -> [Signal] {
        var signals: [Signal] = []
        for rule in ruleSet.rules {
            if let signal = evaluate(rule, on: analysis) {
                signals.append(signal)
            }
        }
        return signals
    }

    /// The signal for one rule, or `nil` when it does not hit.
    public static func evaluate(_ rule: Rule, on analysis: CommentAnalysis) -> Signal? {
        for field in rule.fields {
            let text = analysis.text(of: field)
            if text.isEmpty { continue }
            do {
                guard let match = try rule.pattern.firstMatch(in: text, scratch: analysis.scratch) else { continue }
                let matched = String(text[match.range])
                let span = Span(field: field, utf8Start: match.utf8Range.lowerBound, utf8End: match.utf8Range.upperBound, text: matched)
                return Signal(source: .rule, name: rule.id, score: rule.action == nil ? rule.score : 0, action: rule.action,
                              explanation: "\(rule.description) (matched “\(abbreviate(matched))” in \(field.rawValue))",
                              isShadow: rule.mode == .shadow, span: span)
            } catch {
                let what = error.code == .limitExceeded ? "hit the PCRE2 limit" : "failed"
                return Signal(source: .rule, name: rule.id, score: 0, action: rule.mode == .shadow ? nil : .hold,
                              explanation: "Rule \(rule.id) \(what) on \(field.rawValue) (\(error.message)); held so a moderator looks",
                              isShadow: rule.mode == .shadow, span: nil)
            }
        }
        return nil
    }

    /// Checks a rule against its own examples; one message per example that fails.
    public static func checkExamples(of rule: Rule) -> [String] {
        var failures: [String] = []
        let field = rule.fields.first ?? .body
        func hits(_ text: String) -> Result<Bool, PCRE2Error> {
            let comment = exampleComment(text, in: field)
            let analysis = CommentAnalysis(comment: comment, scratch: MatchScratch())
            let text = analysis.text(of: field)
            do {
                return .success(try rule.pattern.firstMatch(in: text, scratch: analysis.scratch) != nil)
            } catch {
                return .failure(error)
            }
        }
        for example in rule.examples.match {
            switch hits(example) {
            case .success(true): break
            case .success(false): failures.append("example does not match but should: “\(example)”")
            case .failure(let error): failures.append("example “\(example)”: \(error)")
            }
        }
        for example in rule.examples.noMatch {
            switch hits(example) {
            case .success(false): break
            case .success(true): failures.append("example matches but should not: “\(example)”")
            case .failure(let error): failures.append("example “\(example)”: \(error)")
            }
        }
        return failures
    }

    static func exampleComment(_ text: String, in field: CommentField) -> Comment {
        var comment = Comment(id: "example", articleID: "example", author: "example", body: "", rating: 3)
        switch field {
        case .body, .url: comment.body = text
        case .author: comment.author = text
        case .email: comment.email = text
        case .ip: comment.ip = text
        case .userAgent: comment.userAgent = text
        case .articleURL: comment.articleURL = text
        }
        return comment
    }

    static func abbreviate(_ text: String, to length: Int = 60) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= length ? flat : String(flat.prefix(length - 1)) + "…"
    }
}
