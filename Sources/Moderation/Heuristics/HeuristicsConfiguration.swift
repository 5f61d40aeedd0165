/// Settings for every heuristic, each defaulted to suit a UK news site.
public struct HeuristicsConfiguration: Sendable, Equatable {
    public var links = LinkHeuristic.Configuration()
    public var shouting = ShoutingHeuristic.Configuration()
    public var shape = ShapeHeuristic.Configuration()
    public var duplicates = DuplicateHeuristic.Configuration()
    public var flood = FloodHeuristic.Configuration()
    public var history = AuthorHistoryHeuristic.Configuration()
    public var ratings = RatingHeuristic.Configuration()
    public var lists = ModerationListsHeuristic.Configuration()

    public init() {}

    /// The heuristics these settings describe, in the order they run.
    public func makeHeuristics() -> [any Heuristic] {
        [ModerationListsHeuristic(configuration: lists), LinkHeuristic(configuration: links), ShoutingHeuristic(configuration: shouting), ShapeHeuristic(configuration: shape),
         PaymentCardHeuristic(), DuplicateHeuristic(configuration: duplicates), FloodHeuristic(configuration: flood),
         AuthorHistoryHeuristic(configuration: history), RatingHeuristic(configuration: ratings)]
    }
}
