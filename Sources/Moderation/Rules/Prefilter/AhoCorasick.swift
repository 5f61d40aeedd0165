/// A multi-pattern matcher over bytes: one pass over the text finds which of many literals occur.
///
/// Built as a deterministic automaton over the byte classes the literals use, so scanning costs one
/// table lookup per byte however many literals there are.
struct AhoCorasick: Sendable {
    /// Byte → class; bytes no literal uses share class 0.
    private let byteClass: [UInt8]
    private let classCount: Int
    /// Dense transitions: `transitions[state * classCount + class]`.
    private let transitions: [Int32]
    /// Values reported at each state (its own and those of its suffixes), as ranges into `outputs`.
    private let outputStart: [Int32]
    private let outputs: [Int32]

    /// Builds the automaton; each literal carries a value reported when it is found.
    ///
    /// - Parameter foldsASCIICase: Match upper-case ASCII letters in the text as their lower-case
    ///   forms, for lower-case literals of case-insensitive patterns run on the original text.
    init(literals: [(bytes: [UInt8], value: Int32)], foldsASCIICase: Bool = false) {
        var used = [Bool](repeating: false, count: 256)
        for literal in literals { for byte in literal.bytes { used[Int(byte)] = true } }
        var byteClass = [UInt8](repeating: 0, count: 256)
        var classes = 1
        for byte in 0..<256 where used[byte] {
            byteClass[byte] = UInt8(classes)
            classes += 1
        }
        if foldsASCIICase {
            for upper in UInt8(ascii: "A")...UInt8(ascii: "Z") { byteClass[Int(upper)] = byteClass[Int(upper | 0x20)] }
        }
        // A trie first: goto edges, then breadth-first failure links folded into dense transitions.
        var trie: [[Int32]] = [[Int32](repeating: -1, count: classes)]
        var values: [[Int32]] = [[]]
        for literal in literals {
            var state = 0
            for byte in literal.bytes {
                let cls = Int(byteClass[Int(byte)])
                if trie[state][cls] < 0 {
                    trie[state][cls] = Int32(trie.count)
                    trie.append([Int32](repeating: -1, count: classes))
                    values.append([])
                }
                state = Int(trie[state][cls])
            }
            values[state].append(literal.value)
        }
        let stateCount = trie.count
        var transitions = [Int32](repeating: 0, count: stateCount * classes)
        var failure = [Int32](repeating: 0, count: stateCount)
        var queue: [Int] = []
        for cls in 0..<classes {
            let next = trie[0][cls]
            if next > 0 {
                transitions[cls] = next
                failure[Int(next)] = 0
                queue.append(Int(next))
            }
        }
        var head = 0
        var order: [Int] = [0]
        while head < queue.count {
            let state = queue[head]
            head += 1
            order.append(state)
            for cls in 0..<classes {
                let next = trie[state][cls]
                let fallback = transitions[Int(failure[state]) * classes + cls]
                if next > 0 {
                    transitions[state * classes + cls] = next
                    failure[Int(next)] = fallback
                    queue.append(Int(next))
                } else {
                    transitions[state * classes + cls] = fallback
                }
            }
        }
        // Outputs: a state's own values plus its failure state's (already complete: BFS order).
        var merged = values
        for state in order where state != 0 {
            let fail = Int(failure[state])
            if !merged[fail].isEmpty {
                merged[state] = Array(Set(merged[state] + merged[fail])).sorted()
            }
        }
        var outputStart: [Int32] = [0]
        var outputs: [Int32] = []
        for state in 0..<stateCount {
            outputs += merged[state]
            outputStart.append(Int32(outputs.count))
        }
        self.byteClass = byteClass
        self.classCount = classes
        self.transitions = transitions
        self.outputStart = outputStart
        self.outputs = outputs
    }

    /// Calls `found` with the value of every literal occurrence in `text` (values may repeat).
    func scan(_ text: String, _ found: (Int32) -> Void) {
        var copy = text
        let classCount = classCount
        // Every state and class index is in range by construction: read the tables without bounds checks.
        copy.withUTF8 { bytes in
            byteClass.withUnsafeBufferPointer { byteClass in
                transitions.withUnsafeBufferPointer { transitions in
                    outputStart.withUnsafeBufferPointer { outputStart in
                        var state = 0
                        for byte in bytes {
                            state = Int(transitions[state &* classCount &+ Int(byteClass[Int(byte)])])
                            let start = outputStart[state]
                            let end = outputStart[state &+ 1]
                            if start < end {
                                for index in Int(start)..<Int(end) { found(outputs[index]) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// How many states the automaton has (for diagnostics).
    var stateCount: Int { outputStart.count - 1 }
}
