/// Everything that can be wrong with a dataset request or a data file a user hands to qlx.
/// Each message is one line naming the dataset, file or flag, what was expected and what was
/// found.
public enum DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `--dataset NAME` (or a checkpoint's dataset) that qlx does not know.
    case unknownDataset(name: String, known: [String])
    /// A factor tuple with the wrong number of factors or a value outside a factor's range.
    case invalidFactors(dataset: String, expectedSizes: [Int], found: [Int])
    /// An image index outside 0..<count.
    case indexOutOfRange(dataset: String, index: Int, count: Int)

    public var description: String {
        switch self {
        case .unknownDataset(let name, let known):
            return "unknown dataset '\(name)'; expected one of \(known.joined(separator: ", "))"
        case .invalidFactors(let dataset, let sizes, let found):
            return "dataset \(dataset): expected \(sizes.count) factors with sizes \(sizes), found \(found)"
        case .indexOutOfRange(let dataset, let index, let count):
            return "dataset \(dataset): expected an image index in 0..<\(count), found \(index)"
        }
    }
}
