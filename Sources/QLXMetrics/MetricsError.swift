/// Everything that can be wrong with the arrays or settings a user hands to the metrics.
/// Each message is one line naming the input ("sources", "latents", or a file), what was
/// expected and what was found.
public enum MetricsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Sources and latents must describe the same samples.
    case rowCountMismatch(sources: String, sourceRows: Int, latents: String, latentRows: Int)
    /// A NaN or ±Inf entry.
    case nonFinite(input: String, row: Int, column: Int)
    /// Metrics need 2-D (samples × columns) inputs.
    case wrongDimensions(input: String, found: [Int])
    /// No rows or no columns.
    case empty(input: String, shape: [Int])
    /// Rows of a nested array of different lengths.
    case raggedRows(input: String, row: Int, expected: Int, found: Int)
    /// A source with one value has zero entropy, so its NMI row is undefined.
    case constantSource(input: String, column: Int, name: String)
    /// InfoM normalises by 1 − 1/K; it needs at least two sources.
    case tooFewSources(input: String, found: Int)
    /// Every latent is constant (discrete) or below 1/20 of the widest range (continuous).
    case noActiveLatents(latents: Int)
    /// InfoC normalises by 1 − 1/L; with one active latent it is undefined.
    case singleActiveLatent(index: Int)
    /// Names for the sources must match their count.
    case factorNameCount(expected: Int, found: Int)
    /// A sample count or similar setting out of range.
    case invalidSetting(name: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .rowCountMismatch(let s, let sr, let l, let lr):
            return "\(s) has \(sr) rows but \(l) has \(lr); expected one row per sample in both"
        case .nonFinite(let input, let row, let column):
            return "\(input): expected finite values, found NaN or Inf at row \(row), column \(column)"
        case .wrongDimensions(let input, let found):
            return "\(input): expected a 2-D array (samples × columns), found shape \(found)"
        case .empty(let input, let shape):
            return "\(input): expected at least one row and one column, found shape \(shape)"
        case .raggedRows(let input, let row, let expected, let found):
            return "\(input): expected \(expected) columns in every row, found \(found) in row \(row)"
        case .constantSource(let input, let column, let name):
            return "\(input): source column \(column) (\(name)) takes a single value; expected at least two distinct values (its entropy is zero)"
        case .tooFewSources(let input, let found):
            return "\(input): expected at least 2 source columns (InfoM normalises by 1 − 1/K), found \(found)"
        case .noActiveLatents(let latents):
            return "no active latents: all \(latents) latents are constant (or, continuous, span less than 1/20 of the widest range); expected at least 2"
        case .singleActiveLatent(let index):
            return "only latent \(index) is active; expected at least 2 active latents (InfoC normalises by 1 − 1/L)"
        case .factorNameCount(let expected, let found):
            return "expected \(expected) factor names (one per source column), found \(found)"
        case .invalidSetting(let name, let expected, let found):
            return "\(name): expected \(expected), found \(found)"
        }
    }
}
