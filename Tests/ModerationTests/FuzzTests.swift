import Foundation
import Moderation
import ModeratoTestSupport
import PCRE2
import Testing

/// Property-based fuzzing of the two parsers that take untrusted input: the JSON ingest and the
/// rule-pack loader. Each runs a bounded number of seeded random mutations of valid inputs (the seed
/// is printed on failure; `MODERATO_FUZZ_ITERATIONS` runs longer) and must answer every input with a
/// value or its own structured error, never a crash or a hang.
@Suite struct FuzzTests {
    static var iterations: Int { ProcessInfo.processInfo.environment["MODERATO_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 30_000 }

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

    static let interesting: [[UInt8]] = ["\"", "\\", "{", "}", "[", "]", ":", ",", "null", "true", "1e309", "-0", "\u{0}",
                                         "\\u0000", "\\ud800", "\u{FEFF}", "9999999999999999999999", "\"rating\":", "\n"].map { Array($0.utf8) }

    static func mutate(_ input: [UInt8], _ generator: inout Generator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<5, using: &generator) {
            case 0 where !bytes.isEmpty: bytes[position] = UInt8.random(in: 0...255, using: &generator)
            case 1 where !bytes.isEmpty: bytes.remove(at: position)
            case 2: bytes.insert(contentsOf: interesting.randomElement(using: &generator)!, at: position)
            case 3 where bytes.count > 2:
                let end = Int.random(in: position...bytes.count, using: &generator)
                bytes.removeSubrange(position..<end)
            default: bytes.insert(UInt8.random(in: 0...127, using: &generator), at: position)
            }
        }
        return bytes
    }

    @Test func jsonIngestAnswersEveryInput() throws {
        let seeds = [commentJSON(id: "c1", body: "Nice piece about the harbour", rating: 4,
                                 extra: ["email": "a@example.org", "ip": "203.0.113.7", "submitted_at": "2026-11-29T07:30:00Z"]),
                     #"{"id":"c","article_id":"a","author":"A","body":"","rating":1}"#]
        let decoder = CommentDecoder()
        var generator = Generator(state: 0xF022)
        var accepted = 0
        for iteration in 0..<Self.iterations {
            let input = Self.mutate(Array(seeds[iteration % seeds.count].utf8), &generator)
            do {
                let comment = try decoder.decode(input)
                // Whatever is accepted must satisfy the contract.
                #expect((1...5).contains(comment.rating), "iteration \(iteration)")
                #expect(!comment.id.isEmpty && !comment.author.isEmpty)
                accepted += 1
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
        #expect(accepted > 0, "the mutations never kept a valid input: the fuzzer is not exercising acceptance")
    }

    @Test func ruleLoaderAnswersEveryInput() throws {
        let seed = """
            pack: fuzz
            rules:
              - id: fuzz.one
                description: A rule
                pattern: '\\b(?:cheap|free)\\s+spins?\\b'
                fields: [body, author]
                flags: [multiline]
                score: 3
                tags: [t]
                examples:
                  match: ["free spins"]
                  no_match: ["spinster"]
              - id: fuzz.meta
                description: Meta
                meta: {any: [fuzz.one]}
                action: hold
            """
        var generator = Generator(state: 0xF0ED)
        var loaded = 0
        for iteration in 0..<(Self.iterations / 3) {
            let bytes = Self.mutate(Array(seed.utf8), &generator)
            guard let text = String(validating: bytes, as: UTF8.self) else { continue }
            let result = RuleLoader().load(sources: [("fuzz.yml", text)])
            if result.errors.isEmpty {
                loaded += 1
            } else {
                for error in result.errors {
                    #expect(error.description.hasPrefix("fuzz.yml:"), "iteration \(iteration): \(error)")
                }
            }
        }
        #expect(loaded > 0)
    }

    @Test func normalizerMapsEveryInputBack() {
        var generator = Generator(state: 0xAB12)
        let alphabet = Array("aA0 .-_*4@$!|ſﬁ\u{200B}\u{202E}ｃ𝐜ⓒ&#39;<br>é\u{301}🎉🏽")
        for _ in 0..<Self.iterations / 3 {
            let text = String((0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let normalized = TextNormalizer().normalize(text)
            let count = normalized.text.utf8.count
            let original = text.utf8.count
            for start in stride(from: 0, to: count, by: 3) {
                let range = normalized.originalRange(of: start..<min(count, start + 2))
                #expect(range.lowerBound >= 0 && range.upperBound <= original && range.lowerBound <= range.upperBound)
            }
        }
    }

    @Test func linkExtractorAnswersEveryInputWithLinksInsideTheText() {
        var generator = Generator(state: 0x11A4)
        let alphabet = Array("ab1.-/\\:@%?#[]()<>\"' wWhtps。．ｃｏｍſ\u{AD}\u{200B}é\u{301}\n")
        let seeds = ["see https://www.example.com/a?b=1 now", "www.news.co.uk", "bit.ly/x3.", "http://a.example\\@b.example/x",
                     "<a href=\"http://x.example\">y.example</a>", "[t](http://u.example)", "mail me at a@b.example"]
        var found = 0
        for iteration in 0..<Self.iterations / 3 {
            var text = seeds[iteration % seeds.count]
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let character = alphabet.randomElement(using: &generator)!
                let offset = Int.random(in: 0...text.count, using: &generator)
                text.insert(character, at: text.index(text.startIndex, offsetBy: offset))
            }
            let utf8 = Array(text.utf8)
            for link in LinkExtractor.links(in: text) {
                found += 1
                #expect(link.utf8Range.lowerBound >= 0 && link.utf8Range.upperBound <= utf8.count, "iteration \(iteration): \(text)")
                #expect(String(decoding: utf8[link.utf8Range], as: UTF8.self) == link.url, "iteration \(iteration): \(text)")
                // A host is a name: none of what ends or precedes a host can be left in it.
                #expect(!link.host.contains { "/\\?#@".contains($0) }, "iteration \(iteration): \(link.url) gave \(link.host)")
            }
            _ = LinkHeuristic().evaluate(CommentAnalysis(comment: Fixtures.comment(body: text), scratch: MatchScratch()))
        }
        #expect(found > 0)
    }
}
