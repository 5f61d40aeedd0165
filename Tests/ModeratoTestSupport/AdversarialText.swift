import Foundation

/// Texts built to make text processing slow: each shape repeats a short unit that has tripped
/// regular expressions and scanners before (dotted runs, separators, long words, unclosed brackets,
/// mixed scripts, piles of combining marks), cut to an exact size in bytes.
public enum AdversarialText {
    /// A named shape of hostile text.
    public struct Shape: Sendable, CustomStringConvertible {
        public var name: String
        /// The unit repeated to fill the text.
        public var unit: String
        /// Text before the repeats, if any (a shape may need a start, such as "http://").
        public var prefix: String = ""

        public var description: String { name }

        /// The shape filled to at most `bytes` UTF-8 bytes, cut between characters.
        public func text(bytes: Int) -> String {
            var text = prefix
            text.reserveCapacity(bytes + unit.utf8.count)
            let unitBytes = unit.utf8.count
            while text.utf8.count + unitBytes <= bytes { text += unit }
            for character in unit where text.utf8.count + character.utf8.count <= bytes { text.append(character) }
            return text
        }
    }

    /// Every shape the linear-time tests feed to each scanner.
    public static let shapes: [Shape] = [
        Shape(name: "dotted run", unit: "q."),
        Shape(name: "dotted run of a top-level domain", unit: "co."),
        Shape(name: "dotted words", unit: "word.word-"),
        Shape(name: "www run", unit: "www."),
        Shape(name: "scheme without end", unit: "a", prefix: "http://"),
        Shape(name: "repeated schemes", unit: "http://"),
        Shape(name: "repeated separators", unit: "-"),
        Shape(name: "spelled-out letters", unit: "a "),
        Shape(name: "dashed letters", unit: "a-"),
        Shape(name: "spaced punctuation", unit: ". "),
        Shape(name: "long word", unit: "a"),
        Shape(name: "long mixed word", unit: "ab1"),
        Shape(name: "digits", unit: "1 "),
        Shape(name: "digit run", unit: "7"),
        Shape(name: "at signs", unit: "a@b."),
        Shape(name: "unclosed anchors", unit: "<a "),
        Shape(name: "unclosed anchor with href", unit: "<a href=x>"),
        Shape(name: "markdown links", unit: "[x]("),
        Shape(name: "unclosed anchors after a link", unit: "<a ", prefix: "see http://example.com "),
        Shape(name: "anchors without an end after a link", unit: "<a href=x>y", prefix: "see http://example.com "),
        Shape(name: "markdown links after a link", unit: "[x](", prefix: "see http://example.com "),
        Shape(name: "many links", unit: "http://a.com "),
        Shape(name: "many bare domains", unit: "b.co "),
        Shape(name: "nested brackets", unit: "([{<"),
        Shape(name: "unclosed tags", unit: "<b"),
        Shape(name: "character references", unit: "&#"),
        Shape(name: "named references", unit: "&amp"),
        Shape(name: "alternating scripts", unit: "aа"),  // Latin a, Cyrillic а
        Shape(name: "alternating scripts and digits", unit: "αa1"),
        Shape(name: "combining marks", unit: "e\u{301}\u{302}\u{303}"),
        Shape(name: "one pile of combining marks", unit: "\u{301}", prefix: "a"),
        Shape(name: "zero-width joiners", unit: "a\u{200D}"),
        Shape(name: "bidi overrides", unit: "\u{202E}x"),
        Shape(name: "emoji", unit: "😀"),
        Shape(name: "shouting", unit: "IDIOT "),
        Shape(name: "line breaks", unit: "\n"),
        Shape(name: "ANSI escapes", unit: "\u{1B}[31m"),
    ]
}

/// Timing helpers for tests that compare how work grows with input size (never absolute times).
///
/// Times are the CPU time of the calling thread, so other tests running at the same moment slow a
/// measurement down far less than they would a clock on the wall.
public enum Timing {
    /// Runs `body` on a thread of its own and waits for it, so long measurements neither hold one of
    /// Swift's few cooperative threads (starving the tests that run beside them) nor share one.
    public static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// The CPU time this thread has used, in seconds.
    public static func threadCPUTime() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The time of one run of `body`, averaged over as many runs as fill `atLeast` seconds.
    public static func average(atLeast minimum: Double = 0.002, _ body: () -> Void) -> Double {
        var runs = 0
        let start = threadCPUTime()
        var elapsed = 0.0
        repeat {
            body()
            runs += 1
            elapsed = threadCPUTime() - start
        } while elapsed < minimum
        return elapsed / Double(runs)
    }

    /// How the time of `work` grows from 1 KB to 60 KB of a shape: how many times longer one 60 KB run
    /// takes than one 1 KB run (60 for work that is exactly linear).
    ///
    /// The two are measured in alternation, as pairs of equal work: 60 runs over separate 1 KB copies
    /// (so they touch as much memory as the large run), then one 60 KB run. Each pair gives a ratio and
    /// the median is returned, so a moment when another process shares the core slows both halves of a
    /// pair alike instead of skewing the result. When 16 KB already takes more than `limit` times 1 KB,
    /// that ratio is returned at once, so a quadratic scanner fails in seconds rather than minutes.
    /// How much longer than 1 KB a 60 KB text may take: 60 times is linear, and 60 KB no longer fits
    /// the fastest caches, which costs up to half as much again a byte (ratios of 86 to 106 seen on
    /// linear code under a loaded run); a quadratic step takes about 3,600 times as long.
    public static let linearLimit = 120.0

    public static func growth(of work: (String) -> Void, on shape: AdversarialText.Shape, limit: Double)
        -> (ratio: Double, measuredAt: Int) {
        let smalls = (0..<60).map { _ in String(decoding: Array(shape.text(bytes: 1_024).utf8), as: UTF8.self) }
        let medium = shape.text(bytes: 16 * 1_024)
        let large = shape.text(bytes: 60 * 1_024)
        func time(_ body: () -> Void) -> Double {
            let start = threadCPUTime()
            body()
            return max(threadCPUTime() - start, 1e-9)
        }
        smalls.forEach(work)  // warm lazily built tables
        let mediumRatio = time { work(medium) } / (time { smalls.prefix(16).forEach(work) } / 16)
        if mediumRatio > limit * 2 {
            return (mediumRatio, 16 * 1_024)
        }
        var ratios: [Double] = []
        var spent = 0.0
        while ratios.count < 3 || (ratios.count < 15 && spent < 0.1) {
            let small = time { smalls.forEach(work) } / Double(smalls.count)
            let big = time { work(large) }
            ratios.append(big / small)
            spent += big + small * Double(smalls.count)
            // A quadratic scanner shows itself in the first pair; no need to wait for more.
            if big / small > limit * 4 { break }
        }
        ratios.sort()
        return (ratios[ratios.count / 2], 60 * 1_024)
    }
}
