import QLXIO

/// Everything that can be wrong with a model or checkpoint a user hands to qlx. Each message
/// is one line naming the file (when known), the tensor or field, what was expected and what
/// was found.
public enum ModelError: Error, CustomStringConvertible, Equatable, Sendable {
    case fileNotFound(path: String)
    case notAFile(path: String)
    case unreadable(path: String, reason: String)
    case malformed(path: String, reason: String)
    case missingTensor(path: String?, name: String, expectedShape: [Int])
    case unexpectedTensor(path: String?, name: String)
    case shapeMismatch(path: String?, name: String, expected: [Int], found: [Int])
    case nonFinite(path: String?, name: String, index: Int)
    case codebookTooWide(path: String?, name: String, latent: Int, value: Float)
    case invalidConfig(path: String?, reason: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .notAFile(let path):
            return "\(path): expected a checkpoint file, found a directory"
        case .unreadable(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .malformed(let path, let reason):
            return "\(path): not a valid safetensors checkpoint: \(reason)"
        case .missingTensor(let path, let name, let shape):
            return "\(prefix(path))tensor \(escaped(name, limit: 80)): missing (expected shape \(shape))"
        case .unexpectedTensor(let path, let name):
            return "\(prefix(path))tensor \(escaped(name, limit: 80)): not part of this architecture"
        case .shapeMismatch(let path, let name, let expected, let found):
            return "\(prefix(path))tensor \(escaped(name, limit: 80)): expected shape \(expected), found \(found)"
        case .nonFinite(let path, let name, let index):
            return "\(prefix(path))tensor \(escaped(name, limit: 80)): expected finite values, found NaN or Inf at element \(index)"
        case .codebookTooWide(let path, let name, let latent, let value):
            return "\(prefix(path))tensor \(escaped(name, limit: 80)): latent \(latent)'s codebook holds \(value); expected values within ±\(Quantizer.largestValue), so that the span of a codebook fits in a float"
        case .invalidConfig(let path, let reason):
            return "\(prefix(path))invalid model configuration: \(reason)"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write checkpoint: \(reason)"
        }
    }

    private func prefix(_ path: String?) -> String { path.map { "\($0): " } ?? "" }
}
