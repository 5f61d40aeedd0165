/// The resource limits applied to every match.
///
/// PCRE2 ignores its depth limit when a pattern runs under JIT, so the match limit and the JIT stack
/// size are what bound a runaway pattern; the heap limit bounds the interpreter's backtracking frames.
public struct MatchLimits: Sendable, Equatable {
    /// How many internal match steps one match may take. The default is 1,000,000, which stops a
    /// catastrophic pattern on 100 KB of input in milliseconds and never troubles an ordinary rule.
    public var matchLimit: UInt32
    /// The heap memory, in KiB, the interpreter may use for one match. The default is 32,768 (32 MiB).
    public var heapLimitKiB: UInt32
    /// The largest JIT stack, in bytes, one match may grow. The default is 1 MiB.
    public var jitStackBytes: Int

    public init(matchLimit: UInt32 = 1_000_000, heapLimitKiB: UInt32 = 32_768, jitStackBytes: Int = 1 << 20) {
        self.matchLimit = matchLimit
        self.heapLimitKiB = heapLimitKiB
        self.jitStackBytes = jitStackBytes
    }

    /// The defaults described above.
    public static let `default` = MatchLimits()
}
