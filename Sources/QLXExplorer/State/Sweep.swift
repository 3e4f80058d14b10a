/// The 2-D sweep (`s`): every value of the selected latent (columns) against every value of
/// `rowLatent` (rows), all other latents as they are.
public struct Sweep: Equatable, Sendable {
    public var rowLatent: Int
    public init(rowLatent: Int) { self.rowLatent = rowLatent }
}
