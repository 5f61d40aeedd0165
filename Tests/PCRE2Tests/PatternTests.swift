import PCRE2
import Testing

@Suite struct PatternTests {
    let scratch = MatchScratch()

    @Test func compileErrorCarriesMessageAndOffset() {
        #expect(throws: PCRE2Error.self) { try Pattern("casino(bonus") }
        do {
            _ = try Pattern("casino(bonus")
        } catch {
            #expect(error.code == .compile)
            #expect(error.offset == 12)
            #expect(error.message.contains("missing closing parenthesis"))
            #expect(error.description == "pattern error at offset 12: missing closing parenthesis")
        }
    }

    @Test func patternsAreJITCompiled() throws {
        #expect(try Pattern(#"\bspam\b"#).isJITCompiled)
    }

    @Test func caselessFoldsUnicode() throws {
        let pattern = try Pattern(#"\bcafé\b"#, options: .caseless)
        #expect(try pattern.matches("Meet at the CAFÉ tonight", scratch: scratch))
        #expect(try !Pattern(#"\bcafé\b"#).matches("CAFÉ", scratch: scratch))
    }

    @Test func unicodeWordBoundaries() throws {
        // With UCP, é is a word character: \bna\b must not match inside "naïve" and \w+ takes it whole.
        let word = try Pattern(#"\w+"#)
        let match = try #require(try word.firstMatch(in: "naïve", scratch: scratch))
        #expect(match.utf8Range == 0..<6)
        #expect(try !Pattern(#"\bna\b"#).matches("naïve", scratch: scratch))
    }

    @Test func rangesAreUTF8OffsetsAndStringIndices() throws {
        let subject = "Héllo — casino time"
        let match = try #require(try Pattern("casino").firstMatch(in: subject, scratch: scratch))
        #expect(match.utf8Range == 11..<17)
        #expect(String(subject[match.range]) == "casino")
    }

    @Test func searchesFromAnOffset() throws {
        let pattern = try Pattern("ab")
        let match = try #require(try pattern.firstMatch(in: "ab ab", from: 1, scratch: scratch))
        #expect(match.utf8Range == 3..<5)
    }

    @Test func allMatchesAreNonOverlappingAndSurviveEmptyMatches() throws {
        let words = try Pattern(#"\b\w+\b"#).allMatches(in: "one two three", scratch: scratch)
        #expect(words.map(\.utf8Range) == [0..<3, 4..<7, 8..<13])
        let empties = try Pattern("x*").allMatches(in: "aé", scratch: scratch)
        #expect(empties.count == 3)
    }

    @Test func emptySubject() throws {
        #expect(try !Pattern("a").matches("", scratch: scratch))
        #expect(try Pattern("^$").matches("", scratch: scratch))
    }

    @Test func catastrophicPatternStopsWithLimitError() throws {
        let pattern = try Pattern("(a+)+$")
        let subject = String(repeating: "a", count: 100_000) + "!"
        #expect {
            _ = try pattern.firstMatch(in: subject, scratch: scratch)
        } throws: { error in
            (error as? PCRE2Error)?.code == .limitExceeded
        }
    }

    @Test func smallMatchLimitStopsAShortRunaway() throws {
        let tight = MatchScratch(limits: MatchLimits(matchLimit: 1_000))
        let pattern = try Pattern("(a|aa)+$")
        #expect(throws: PCRE2Error.self) {
            _ = try pattern.firstMatch(in: String(repeating: "a", count: 40) + "b", scratch: tight)
        }
        // The same scratch still works for ordinary patterns afterwards.
        #expect(try Pattern("b$").matches("aab", scratch: tight))
    }

    @Test func deepRecursionHitsTheJITStackLimitNotACrash() throws {
        let small = MatchScratch(limits: MatchLimits(jitStackBytes: 32 * 1024))
        let pattern = try Pattern("(?:(a)|b)*[cd]")
        #expect {
            _ = try pattern.firstMatch(in: String(repeating: "a", count: 200_000) + "d", scratch: small)
        } throws: { error in
            (error as? PCRE2Error)?.code == .limitExceeded
        }
    }

    @Test func sharedAcrossThreads() async throws {
        let pattern = try Pattern(#"\bcasino\b"#, options: .caseless)
        let results = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    let scratch = MatchScratch()
                    var hits = 0
                    for round in 0..<500 {
                        let subject = (round + worker) % 2 == 0 ? "Best CASINO here" : "a classic casinos list"
                        if (try? pattern.matches(subject, scratch: scratch)) == true { hits += 1 }
                    }
                    return hits
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0 == 250 })
    }
}
