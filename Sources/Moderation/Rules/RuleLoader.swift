import Foundation
import PCRE2
import Yams

/// Reads rule packs from folders, compiles them and checks them, collecting every problem.
///
/// Folders load in the order given and files within a folder in name order (`*.yml`, `*.yaml`). A rule
/// in a later folder with the id of an earlier rule overrides it: with a `pattern` it replaces the rule;
/// with only `score`, `action` or `mode` it changes those; with `disabled: true` it removes the rule.
/// This is how a site adjusts the shipped packs without editing them.
///
/// ```swift
/// let ruleSet = try RuleLoader().load(directories: [URL(fileURLWithPath: "Rules")])
/// ```
public struct RuleLoader: Sendable {
    /// The keys a rule may have.
    static let ruleKeys: Set<String> = [
        "id", "description", "pattern", "meta", "fields", "flags", "score", "action", "tags", "mode", "examples", "disabled",
    ]
    static let flagOptions: [String: PatternOptions] = [
        "case_sensitive": [], "multiline": .multiline, "dotall": .dotAll, "extended": .extended, "raw": [],
    ]

    public init() {}

    /// Loads every pack in the folders.
    /// - Throws: ``RuleLoadFailure`` listing every problem found, when there is at least one.
    public func load(directories: [URL]) throws(RuleLoadFailure) -> RuleSet {
        var errors: [RuleLoadError] = []
        var files: [URL] = []
        for directory in directories {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                errors.append(RuleLoadError(SourceLocation(file: directory.path, line: 0), "no such rules folder"))
                continue
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            files += names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
                .map { directory.appendingPathComponent($0) }
        }
        var hasher = FNV1a()
        var sources: [(path: String, text: String)] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file.path) else {
                errors.append(RuleLoadError(SourceLocation(file: file.path, line: 0), "cannot read the file"))
                continue
            }
            guard let text = String(data: data, encoding: .utf8) else {
                errors.append(RuleLoadError(SourceLocation(file: file.path, line: 0), "the file is not valid UTF-8"))
                continue
            }
            hasher.combine(file.lastPathComponent)
            hasher.combine(text)
            sources.append((file.path, text))
        }
        let result = load(sources: sources, version: hasher.hex)
        errors += result.errors
        if !errors.isEmpty { throw RuleLoadFailure(errors: errors) }
        return result.ruleSet
    }

    /// Loads packs given as text; `sources` are in load order, each with the path used in messages.
    /// Every pack of one call counts as one folder, except that entries of a later source may override
    /// rules of an earlier one when `allowOverrides` is set.
    public func load(sources: [(path: String, text: String)], version: String? = nil) -> (ruleSet: RuleSet, errors: [RuleLoadError]) {
        var errors: [RuleLoadError] = []
        var warnings: [RuleLoadError] = []
        var rules: [Rule] = []
        var indexByID: [String: Int] = [:]
        var definedIn: [String: String] = [:]
        var hasher = FNV1a()
        for source in sources {
            hasher.combine(source.path)
            hasher.combine(source.text)
            let entries = parsePack(path: source.path, text: source.text, errors: &errors)
            for entry in entries {
                switch entry {
                case .rule(let rule):
                    if let index = indexByID[rule.id] {
                        if definedIn[rule.id] == source.path || URL(fileURLWithPath: definedIn[rule.id]!).deletingLastPathComponent()
                            == URL(fileURLWithPath: source.path).deletingLastPathComponent() {
                            errors.append(RuleLoadError(rule.location, ruleID: rule.id,
                                "duplicate id; it is already defined at \(rules[index].location)"))
                            continue
                        }
                        rules[index] = rule
                    } else {
                        indexByID[rule.id] = rules.count
                        rules.append(rule)
                    }
                    definedIn[rule.id] = source.path
                case .override(let override):
                    guard let index = indexByID[override.id] else {
                        errors.append(RuleLoadError(override.location, ruleID: override.id,
                            "overrides a rule that no earlier pack defines; give it a pattern and a score or action to make it a new rule"))
                        continue
                    }
                    if override.isDisabled {
                        rules.remove(at: index)
                        indexByID = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
                        continue
                    }
                    if let score = override.score { rules[index].score = score; rules[index].action = nil }
                    if let action = override.action { rules[index].action = action }
                    if let mode = override.mode { rules[index].mode = mode }
                }
            }
        }
        for rule in rules where rule.pattern != nil {
            warnings += BacktrackingCheck.warnings(for: rule)
        }
        // Meta rules may name any pattern rule, and meta rules defined before them.
        var seen: Set<String> = []
        for rule in rules {
            if let meta = rule.meta {
                for id in meta.ruleIDs where !seen.contains(id) {
                    let known = rules.contains { $0.id == id }
                    errors.append(RuleLoadError(rule.location, ruleID: rule.id, known
                        ? "meta rule names \(id), a meta rule defined after it; define it earlier"
                        : "meta rule names an unknown rule \(id)"))
                }
            }
            seen.insert(rule.id)
        }
        for rule in rules where rule.pattern != nil { seen.insert(rule.id) }
        let ruleSet = RuleSet(rules: rules, version: version ?? hasher.hex, warnings: warnings)
        if errors.isEmpty {
            for rule in rules where rule.meta != nil {
                for failure in RuleEngine.checkExamples(of: rule, in: ruleSet) {
                    errors.append(RuleLoadError(rule.location, ruleID: rule.id, failure))
                }
            }
        }
        return (ruleSet, errors)
    }

    enum Entry {
        case rule(Rule)
        case override(Override)
    }

    struct Override {
        var id: String
        var location: SourceLocation
        var isDisabled: Bool
        var score: Double?
        var action: RuleAction?
        var mode: RuleMode?
    }

    func parsePack(path: String, text: String, errors: inout [RuleLoadError]) -> [Entry] {
        let fileLocation = SourceLocation(file: path, line: 1)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            errors.append(Self.describe(error, path: path))
            return []
        } catch {
            errors.append(RuleLoadError(fileLocation, "cannot parse YAML: \(error)"))
            return []
        }
        guard let root, let mapping = root.mapping else {
            errors.append(RuleLoadError(fileLocation, "a rule pack is a mapping with a `rules:` list"))
            return []
        }
        let packName = mapping["pack"]?.string
            ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        for key in mapping.keys.compactMap(\.string) where !["pack", "description", "rules"].contains(key) {
            errors.append(RuleLoadError(location(mapping[key], path), "unknown key `\(key)`; a pack has `pack`, `description` and `rules`"))
        }
        guard let rulesNode = mapping["rules"] else {
            errors.append(RuleLoadError(fileLocation, "the pack has no `rules:` list"))
            return []
        }
        guard let list = rulesNode.sequence else {
            errors.append(RuleLoadError(location(rulesNode, path), "`rules` must be a list of rules"))
            return []
        }
        var entries: [Entry] = []
        for node in list {
            if let entry = parseRule(node, pack: packName, path: path, errors: &errors) {
                entries.append(entry)
            }
        }
        return entries
    }

    func parseRule(_ node: Node, pack: String, path: String, errors: inout [RuleLoadError]) -> Entry? {
        let here = location(node, path)
        guard let mapping = node.mapping else {
            errors.append(RuleLoadError(here, "each rule must be a mapping with at least `id`"))
            return nil
        }
        guard let id = mapping["id"]?.string, !id.isEmpty else {
            errors.append(RuleLoadError(here, "the rule has no `id`"))
            return nil
        }
        let errorCount = errors.count
        func fail(_ message: String, at node: Node? = nil) {
            errors.append(RuleLoadError(node.map { location($0, path) } ?? here, ruleID: id, message))
        }
        if id.range(of: #"^[a-z0-9_]+(\.[a-z0-9_-]+)+$"#, options: .regularExpression) == nil {
            fail("the id must look like `pack.name` (lower-case letters, digits, `_` and `-`)", at: mapping["id"])
        }
        for key in mapping.keys.compactMap(\.string) where !Self.ruleKeys.contains(key) {
            fail("unknown key `\(key)`; a rule has \(Self.ruleKeys.sorted().joined(separator: ", "))", at: mapping[key])
        }

        var score: Double?
        if let node = mapping["score"] {
            if let value = node.string.flatMap(Double.init), value.isFinite {
                score = value
            } else {
                fail("`score` must be a number", at: node)
            }
        }
        var action: RuleAction?
        if let node = mapping["action"] {
            if let value = node.string.flatMap(RuleAction.init(rawValue:)) {
                action = value
            } else {
                fail("`action` must be one of hold, reject, approve", at: node)
            }
        }
        if score != nil && action != nil {
            fail("give either `score` or `action`, not both", at: mapping["action"])
        }
        var mode: RuleMode?
        if let node = mapping["mode"] {
            if let value = node.string.flatMap(RuleMode.init(rawValue:)) {
                mode = value
            } else {
                fail("`mode` must be active or shadow", at: node)
            }
        }
        let isDisabled = mapping["disabled"]?.bool ?? false

        var meta: MetaCondition?
        if let node = mapping["meta"] {
            meta = parseMeta(node, fail: { fail($0, at: node) })
            if mapping["pattern"] != nil { fail("give either `pattern` or `meta`, not both", at: node) }
        }
        guard let patternNode = mapping["pattern"] ?? mapping["meta"] else {
            // No pattern: this entry adjusts a rule loaded earlier.
            if !isDisabled && score == nil && action == nil && mode == nil {
                fail("missing `pattern` and `score` or `action`")
            }
            guard errors.count == errorCount else { return nil }
            return .override(Override(id: id, location: here, isDisabled: isDisabled, score: score, action: action, mode: mode))
        }
        if score == nil && action == nil {
            fail("missing `score` or `action`: say what a hit does")
        }
        let description = mapping["description"]?.string ?? ""
        if description.isEmpty {
            fail("missing `description`: moderators see it when the rule fires")
        }
        var fields: [CommentField] = [.body]
        if let node = mapping["fields"] {
            let names = stringList(node) ?? []
            if names.isEmpty { fail("`fields` must be a list such as [body, author]", at: node) }
            fields = []
            for name in names {
                if let field = CommentField(rawValue: name) {
                    fields.append(field)
                } else {
                    fail("unknown field `\(name)`; fields are \(CommentField.allCases.map(\.rawValue).joined(separator: ", "))", at: node)
                }
            }
        }
        var options: PatternOptions = .caseless
        var matchesRawText = false
        if let node = mapping["flags"] {
            for flag in stringList(node) ?? [] {
                guard let option = Self.flagOptions[flag] else {
                    fail("unknown flag `\(flag)`; flags are \(Self.flagOptions.keys.sorted().joined(separator: ", "))", at: node)
                    continue
                }
                if flag == "case_sensitive" { options.remove(.caseless) }
                if flag == "raw" { matchesRawText = true }
                options.insert(option)
            }
        }
        let tags = mapping["tags"].flatMap(stringList) ?? []
        var examples = RuleExamples()
        if let node = mapping["examples"] {
            if let examplesMapping = node.mapping {
                examples.match = examplesMapping["match"].flatMap(stringList) ?? []
                examples.noMatch = examplesMapping["no_match"].flatMap(stringList) ?? []
            } else {
                fail("`examples` must have `match` and `no_match` lists", at: node)
            }
        }
        var pattern: Pattern?
        if meta == nil {
            if let source = patternNode.scalar?.string, !source.isEmpty {
                do {
                    pattern = try Pattern(source, options: options)
                } catch {
                    fail(error.description, at: patternNode)
                }
            } else {
                fail("`pattern` must be a non-empty string (quote it in single quotes)", at: patternNode)
            }
        }
        guard pattern != nil || meta != nil, errors.count == errorCount else { return nil }
        let rule = Rule(id: id, pack: pack, description: description, pattern: pattern, meta: meta,
                        matchesRawText: matchesRawText, fields: fields, score: score ?? 0, action: action,
                        mode: mode ?? .active, tags: tags, examples: examples, location: here)
        for failure in RuleEngine.checkExamples(of: rule) {
            fail(failure, at: mapping["examples"])
        }
        return .rule(rule)
    }

    func parseMeta(_ node: Node, fail: (String) -> Void) -> MetaCondition? {
        let usage = "`meta` takes `all: [ids]`, `any: [ids]`, or `at_least: N` with `of: [ids]`"
        guard let mapping = node.mapping else {
            fail(usage)
            return nil
        }
        if let ids = mapping["all"].flatMap(stringList), !ids.isEmpty {
            return MetaCondition(requirement: .all, ruleIDs: ids)
        }
        if let ids = mapping["any"].flatMap(stringList), !ids.isEmpty {
            return MetaCondition(requirement: .any, ruleIDs: ids)
        }
        if let count = mapping["at_least"]?.string.flatMap(Int.init), let ids = mapping["of"].flatMap(stringList), !ids.isEmpty {
            guard count >= 1 && count <= ids.count else {
                fail("`at_least` must be from 1 to the number of rules in `of` (\(ids.count))")
                return nil
            }
            return MetaCondition(requirement: .atLeast(count), ruleIDs: ids)
        }
        fail(usage)
        return nil
    }

    func stringList(_ node: Node) -> [String]? {
        if let sequence = node.sequence { return sequence.compactMap(\.string) }
        if let single = node.scalar?.string { return [single] }
        return nil
    }

    func location(_ node: Node?, _ path: String) -> SourceLocation {
        SourceLocation(file: path, line: node?.mark?.line ?? 1)
    }

    static func describe(_ error: YamlError, path: String) -> RuleLoadError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return RuleLoadError(SourceLocation(file: path, line: mark.line), "YAML error: \(problem)")
        default:
            return RuleLoadError(SourceLocation(file: path, line: 1), "YAML error: \(error)")
        }
    }
}
