import Foundation
import PCRE2

/// Runs a rule set over a comment and turns hits into signals.
///
/// A rule that hits a PCRE2 limit or fails does not pass silently: it becomes a `rule_error` signal that
/// holds the comment, so a runaway pattern can never let a comment through.
public enum RuleEngine {
    /// Signals for every rule that hit, in rule order (shadow rules included, marked as shadow).
    ///
    /// Pattern rules run first, skipping those the prefilter rules out; meta rules then combine their hits.
    public static func evaluate(_ ruleSet: RuleSet, on analysis: CommentAnalysis) -> [Signal] {
        var signals: [Signal] = []
        var hits: [String: Bool] = [:]  // rule id → whether the hit was a shadow hit
        forEachPatternRuleToRun(ruleSet, on: analysis) { index, rules in
            if let signal = evaluate(ruleAt: index, in: rules, on: analysis) {
                signals.append(signal)
                if !signal.isRuleError { hits[signal.name] = signal.isShadow }
            }
        }
        // Meta rules need at least one hit among the rules they name (a meta rule of none is refused at load).
        guard !hits.isEmpty else { return signals }
        for index in ruleSet.metaRules {
            let rule = ruleSet.rules[index]
            guard let meta = rule.meta else { continue }
            let matched = meta.ruleIDs.filter { hits[$0] != nil }
            guard meta.isSatisfied(hits: matched.count) else { continue }
            let isShadow = rule.mode == .shadow || matched.contains { hits[$0] == true }
            hits[rule.id] = isShadow
            signals.append(Signal(source: .rule, name: rule.id, score: rule.action == nil ? rule.score : 0, action: rule.action,
                                  explanation: "\(rule.description) (together: \(matched.joined(separator: ", ")))",
                                  isShadow: isShadow, span: nil))
        }
        return signals
    }

    /// Runs the pattern rules the prefilter lets through, as `evaluate` does, and reports how long each
    /// took and whether it hit: what `modctl bench --top-rules` ranks rules by.
    public static func profile(_ ruleSet: RuleSet, on analysis: CommentAnalysis,
                               _ record: (_ ruleIndex: Int, _ hit: Bool, _ elapsed: Duration) -> Void) {
        let clock = ContinuousClock()
        forEachPatternRuleToRun(ruleSet, on: analysis) { index, rules in
            let started = clock.now
            let hit = evaluate(ruleAt: index, in: rules, on: analysis) != nil
            record(index, hit, clock.now - started)
        }
    }

    /// Calls `body` with the index of each pattern rule the prefilter lets through, in rule order, and
    /// the rules read in place through a buffer pointer: copying a rule would retain each of its parts.
    static func forEachPatternRuleToRun(_ ruleSet: RuleSet, on analysis: CommentAnalysis,
                                        _ body: (Int, UnsafeBufferPointer<Rule>) -> Void) {
        ruleSet.rules.withUnsafeBufferPointer { rules in
            ruleSet.prefilter.forEachRuleToRun(normalizedBody: analysis.normalized(.body).text, rawBody: analysis.comment.body,
                                               alwaysRun: ruleSet.ungatedPatternRules) { index in body(index, rules) }
        }
    }

    /// The signal for one pattern rule, or `nil` when it does not hit.
    ///
    /// The rule is read field by field in place: passing it by value would copy (and retain) all of it
    /// for every rule on every comment.
    static func evaluate(ruleAt index: Int, in rules: UnsafeBufferPointer<Rule>, on analysis: CommentAnalysis) -> Signal? {
        guard let pattern = rules[index].pattern else { return nil }
        for field in rules[index].fields {
            do {
                guard let span = try firstMatch(pattern, rawText: rules[index].matchesRawText, field: field, in: analysis) else { continue }
                let rule = rules[index]
                return Signal(source: .rule, name: rule.id, score: rule.action == nil ? rule.score : 0, action: rule.action,
                              explanation: "\(rule.description) (matched “\(abbreviate(span.text))” in \(field.rawValue))",
                              isShadow: rule.mode == .shadow, span: span)
            } catch {
                let rule = rules[index]
                let what = error.code == .limitExceeded ? "hit the PCRE2 limit" : "failed"
                return Signal(source: .rule, name: rule.id, score: 0, action: rule.mode == .shadow ? nil : .hold,
                              explanation: "Rule \(rule.id) \(what) on \(field.rawValue) (\(error.message)); held so a moderator looks",
                              isShadow: rule.mode == .shadow, span: nil, isRuleError: true)
            }
        }
        return nil
    }

    /// Where a pattern first matches a field, as a span of the original text.
    static func firstMatch(_ pattern: Pattern, rawText: Bool, field: CommentField, in analysis: CommentAnalysis) throws(PCRE2Error) -> Span? {
        let original = analysis.text(of: field)
        if original.isEmpty { return nil }
        let range: Range<Int>
        if rawText {
            guard let found = try pattern.firstUTF8Range(in: original, scratch: analysis.scratch) else { return nil }
            range = found
        } else {
            let normalized = analysis.normalized(field)
            guard let found = try pattern.firstUTF8Range(in: normalized.text, scratch: analysis.scratch) else { return nil }
            range = normalized.originalRange(of: found)
        }
        let utf8 = original.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let upper = utf8.index(lower, offsetBy: range.count)
        return Span(field: field, utf8Start: range.lowerBound, utf8End: range.upperBound, text: String(original[lower..<upper]))
    }

    /// Checks a pattern rule against its own examples; one message per example that fails.
    public static func checkExamples(of rule: Rule) -> [String] {
        guard let pattern = rule.pattern else { return [] }
        let field = rule.fields.first ?? .body
        let scratch = MatchScratch()
        return checkExamples(of: rule) { (example: String) throws(PCRE2Error) -> Bool in
            let analysis = CommentAnalysis(comment: exampleComment(example, in: field), scratch: scratch)
            return try firstMatch(pattern, rawText: rule.matchesRawText, field: field, in: analysis) != nil
        }
    }

    /// Checks a meta rule's examples by running the whole rule set on each.
    public static func checkExamples(of rule: Rule, in ruleSet: RuleSet) -> [String] {
        let scratch = MatchScratch()
        return checkExamples(of: rule) { (example: String) throws(PCRE2Error) -> Bool in
            let analysis = CommentAnalysis(comment: exampleComment(example, in: rule.fields.first ?? .body), scratch: scratch)
            return evaluate(ruleSet, on: analysis).contains { $0.name == rule.id }
        }
    }

    static func checkExamples(of rule: Rule, hits: (String) throws(PCRE2Error) -> Bool) -> [String] {
        var failures: [String] = []
        for example in rule.examples.match {
            do {
                if try !hits(example) { failures.append("example does not match but should: “\(example)”") }
            } catch {
                failures.append("example “\(example)”: \(error)")
            }
        }
        for example in rule.examples.noMatch {
            do {
                if try hits(example) { failures.append("example matches but should not: “\(example)”") }
            } catch {
                failures.append("example “\(example)”: \(error)")
            }
        }
        return failures
    }

    /// A comment carrying `text` in one field, for trying rules on a text (examples, `modctl rules test`).
    public static func exampleComment(_ text: String, in field: CommentField) -> Comment {
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
        var flat = text
        if text.utf8.contains(0x0A) {
            flat = String(text.map { $0.isNewline ? " " : $0 })
        }
        if flat.utf8.count <= length { return flat }
        return flat.count <= length ? flat : String(flat.prefix(length - 1)) + "…"
    }
}
