// Shared by QLXModel (stored in a checkpoint's config) and QLXData (each dataset describes
// itself), so that neither has to import the other.

/// Ground-truth factors of the dataset the model was trained on, so metrics and the UI can
/// name them.
public struct DatasetInfo: Codable, Equatable, Sendable {
    public var name: String
    public var factorNames: [String]
    public var factorSizes: [Int]
    public init(name: String, factorNames: [String], factorSizes: [Int]) {
        self.name = name
        self.factorNames = factorNames
        self.factorSizes = factorSizes
    }
}
