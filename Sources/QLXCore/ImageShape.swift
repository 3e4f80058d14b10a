// Shared by QLXModel (a model's input) and QLXData (a dataset's images), so that neither
// has to import the other.

/// Input images: channels × height × width, values in [0, 1].
public struct ImageShape: Codable, Equatable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int
    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// "3×64×64".
    public var description: String { "\(channels)×\(height)×\(width)" }
}
