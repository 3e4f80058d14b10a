import QLXCore
import QLXIO

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
    /// A dataset whose images are not the shape a model takes.
    case imageShapeMismatch(dataset: String, expected: ImageShape, found: ImageShape)

    /// .npy files (Npy.read / Npy.write; owner: metrics).
    case npyUnreadable(path: String, reason: String)
    case npyMalformed(path: String, reason: String)
    case npyUnsupportedDType(path: String, dtype: String)
    case npyObjectArray(path: String)
    case npyValueOutOfRange(path: String, index: Int, dtype: String)
    case npyWriteFailed(path: String, reason: String)

    /// Dataset files (--data FILE): .npz, .h5 and their cache.
    case fileUnreadable(path: String, reason: String)
    case datasetFileInvalid(path: String, expected: String, found: String)
    case cacheFailed(path: String, reason: String)
    /// A dataset file that changed while it was being read (`MappedFiles.changed()`).
    case fileChanged(path: String, reason: String)
    /// Sizes from a file that do not fit in memory (`SizeLimit`).
    case tooLarge(path: String, SizeError)

    /// Checks sizes read from the file at `path` against `SizeLimit` before allocating.
    static func checkFits(_ sizes: [Int], bytesEach: Int, what: String, path: String) throws {
        do { try SizeLimit.check(sizes, bytesEach: bytesEach, what: what) } catch let error as SizeError {
            throw DataError.tooLarge(path: path, error)
        }
    }

    public var description: String {
        switch self {
        case .unknownDataset(let name, let known):
            return "unknown dataset \(quoted(name)); expected one of \(known.joined(separator: ", ")) or the path of a dataset file (\(DatasetFile.Container.suffixList))"
        case .invalidFactors(let dataset, let sizes, let found):
            return "dataset \(dataset): expected \(sizes.count) factors with sizes \(sizes), found \(found)"
        case .indexOutOfRange(let dataset, let index, let count):
            return "dataset \(dataset): expected an image index in 0..<\(count), found \(index)"
        case .imageShapeMismatch(let dataset, let expected, let found):
            func text(_ s: ImageShape) -> String { "\(s.channels)×\(s.height)×\(s.width)" }
            return "dataset \(dataset): expected images of \(text(expected)) (the model's input), found \(text(found))"
        case .npyUnreadable(let path, let reason):
            return "\(path): cannot read .npy file: \(reason)"
        case .npyMalformed(let path, let reason):
            return "\(path): not a valid .npy file: \(reason)"
        case .npyUnsupportedDType(let path, let dtype):
            return "\(path): unsupported dtype \(quoted(dtype)); expected integers (i1, i2, i4, i8, u1, u2, u4, u8), floats (f2, f4, f8) or bool"
        case .npyObjectArray(let path):
            return "\(path): holds a pickled object array (dtype 'O'), which qlx refuses to load; save a numeric array instead, e.g. np.save(path, np.asarray(x, dtype=np.int64))"
        case .npyValueOutOfRange(let path, let index, let dtype):
            return "\(path): element \(index) (dtype \(dtype)) does not fit in a 64-bit signed integer"
        case .npyWriteFailed(let path, let reason):
            return "\(path): cannot write .npy file: \(reason)"
        case .fileUnreadable(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .datasetFileInvalid(let path, let expected, let found):
            return "\(path): expected \(expected), found \(found)"
        case .cacheFailed(let path, let reason):
            return "\(path): cannot build the decompressed cache: \(reason)"
        case .fileChanged(let path, let reason):
            return "\(path): changed while qlx was reading it (\(reason))"
        case .tooLarge(let path, let error):
            return "\(path): \(error)"
        }
    }
}
