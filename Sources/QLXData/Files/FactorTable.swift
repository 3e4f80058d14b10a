import QLXCore

/// The factor classes of every image of a file dataset: either a stored table (N×K class
/// indices, label-encoded from whatever values the file holds) or the mixed-radix grid the
/// file's order follows (MPI3D stores no labels).
enum FactorTable: Sendable {
    case stored(classes: [Int32], columns: Int)
    case grid(FactorGrid)

    var sizes: [Int] {
        switch self {
        case .grid(let grid): return grid.sizes
        case .stored(let classes, let columns):
            var sizes = [Int](repeating: 0, count: columns)
            for (i, c) in classes.enumerated() { sizes[i % columns] = max(sizes[i % columns], Int(c) + 1) }
            return sizes
        }
    }

    func factors(at index: Int) -> [Int] {
        switch self {
        case .grid(let grid): return grid.factors(at: index)
        case .stored(let classes, let columns): return (0..<columns).map { Int(classes[index * columns + $0]) }
        }
    }

    /// Label encoding: each column's distinct values, sorted, numbered from 0 (as
    /// scikit-learn's LabelEncoder does), from a row-major N×K table of values. NaN has no
    /// place in a sorted order (and equals nothing, so it could not be looked up): refused.
    static func labelEncoded(_ values: [Double], columns: Int, path: String) throws -> FactorTable {
        guard columns > 0 else {
            throw DataError.datasetFileInvalid(path: path, expected: "at least one column of factor classes", found: "none")
        }
        let rows = values.count / columns
        if let nan = values.firstIndex(where: \.isNaN) {
            throw DataError.datasetFileInvalid(path: path, expected: "numeric factor classes",
                                               found: "NaN in row \(nan / columns), column \(nan % columns)")
        }
        var classes = [Int32](repeating: 0, count: values.count)
        for k in 0..<columns {
            let labels = labelEncode((0..<rows).map { values[$0 * columns + k] }).labels
            for r in 0..<rows { classes[r * columns + k] = labels[r] }
        }
        return .stored(classes: classes, columns: columns)
    }
}
