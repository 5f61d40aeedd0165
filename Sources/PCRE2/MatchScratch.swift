import CPCRE2

/// Per-thread state for matching: PCRE2 match data, a match context carrying the limits, and a JIT stack.
///
/// Compiled patterns are immutable and shared; a `MatchScratch` is not. Create one per worker (or per
/// call) and reuse it for every pattern that worker runs, so matching allocates nothing.
///
/// ```swift
/// let scratch = MatchScratch()
/// let hit = try pattern.firstMatch(in: "cheap pills", scratch: scratch)
/// ```
public final class MatchScratch {
    let matchData: OpaquePointer
    let context: OpaquePointer
    let jitStack: OpaquePointer?
    /// The limits every match made with this scratch runs under.
    public let limits: MatchLimits

    /// Creates match state with the given limits.
    public init(limits: MatchLimits = .default) {
        self.limits = limits
        // One pair of offsets is all we read: the whole match.
        guard let data = pcre2_match_data_create_8(1, nil), let context = pcre2_match_context_create_8(nil) else {
            fatalError("PCRE2 could not allocate match data")
        }
        self.matchData = data
        self.context = context
        pcre2_set_match_limit_8(context, limits.matchLimit)
        pcre2_set_heap_limit_8(context, limits.heapLimitKiB)
        let start = min(32 * 1024, limits.jitStackBytes)
        self.jitStack = pcre2_jit_stack_create_8(start, limits.jitStackBytes, nil)
        if let jitStack {
            pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(jitStack))
        }
    }

    deinit {
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
        pcre2_match_context_free_8(context)
        pcre2_match_data_free_8(matchData)
    }
}
