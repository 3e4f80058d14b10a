import QLXRender

/// Two models of the same data and latent count side by side (`qlx explore A B`): each code
/// decodes with both, A's image on the left, B's on the right; dataset samples are encoded by A.
public final class PairedImageSource: ImageSource, Sendable {
    public let first: ModelImageSource
    public let second: ModelImageSource
    /// Pixel columns between the two images.
    public static let gap = 4

    public init(first: ModelImageSource, second: ModelImageSource) {
        precondition(first.model.config.image == second.model.config.image, "paired models need the same image shape")
        precondition(first.model.config.latent.count == second.model.config.latent.count, "paired models need the same latent count")
        self.first = first
        self.second = second
    }

    public func decode(codes: [[Int]]) -> [RenderImage] {
        zip(first.decode(codes: codes), second.decode(codes: codes)).map {
            TraversalImage.sideBySide([$0, $1], gap: Self.gap)
        }
    }

    public var sampleCount: Int { first.sampleCount }

    public func sample(at index: Int) throws -> DatasetSample { try first.sample(at: index) }

    public func replaceCodebooks(_ tables: [[[Float]]?]) throws {
        try first.replaceCodebooks(Array(tables.prefix(1)))
        try second.replaceCodebooks(Array(tables.dropFirst().prefix(1)))
    }
}
