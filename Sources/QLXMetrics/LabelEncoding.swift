import QLXCore
/// Columns of a samples × columns table, each replaced by its label encoding: the sorted
/// distinct values of a column become 0, 1, 2, … (scikit-learn's LabelEncoder).
public struct LabelEncodedColumns: Sendable, Equatable {
    /// Number of samples.
    public let rows: Int
    /// labels[column][row] in 0..<classCounts[column].
    public let labels: [[Int32]]
    /// Distinct values per column.
    public let classCounts: [Int]

    public var columns: Int { labels.count }

    /// Label-encodes rows (samples × columns) of integers or reals; NaN and Inf are refused.
    public init<Value: LabelValue>(rows table: [[Value]], input: String) throws {
        let shape = try checkedShape(table.map(\.count), input: input)
        try checkFinite(table, input: input)
        var labels: [[Int32]] = []
        var counts: [Int] = []
        for column in 0..<shape.columns {
            let (encoded, count) = labelEncode(table.map { $0[column] })
            labels.append(encoded)
            counts.append(count)
        }
        self.init(rows: shape.rows, labels: labels, classCounts: counts)
    }

    /// Already-encoded columns (labels in 0..<classCounts[c], every label used).
    public init(rows: Int, labels: [[Int32]], classCounts: [Int]) {
        precondition(labels.count == classCounts.count && labels.allSatisfy { $0.count == rows })
        self.rows = rows
        self.labels = labels
        self.classCounts = classCounts
    }

    /// Number of samples with each label, per column.
    public var labelCounts: [[Int]] {
        zip(labels, classCounts).map { column, count in
            var histogram = [Int](repeating: 0, count: count)
            for label in column { histogram[Int(label)] += 1 }
            return histogram
        }
    }
}

/// Rows × columns of a nested table: refuses no rows, no columns and ragged rows.
func checkedShape(_ rowLengths: [Int], input: String) throws -> (rows: Int, columns: Int) {
    guard let columns = rowLengths.first, columns > 0 else {
        throw MetricsError.empty(input: input, shape: [rowLengths.count, rowLengths.first ?? 0])
    }
    for (row, length) in rowLengths.enumerated() where length != columns {
        throw MetricsError.raggedRows(input: input, row: row, expected: columns, found: length)
    }
    return (rowLengths.count, columns)
}

/// What a column of classes may hold: ordered, hashable values, each a class of its own
/// (every integer; reals but NaN and ±∞, which sort and compare with nothing).
public protocol LabelValue: Comparable, Hashable {
    var isClass: Bool { get }
}

extension Int: LabelValue {
    public var isClass: Bool { true }
}

extension Double: LabelValue {
    public var isClass: Bool { isFinite }
}

func checkFinite<Value: LabelValue>(_ table: [[Value]], input: String) throws {
    for (row, values) in table.enumerated() {
        for (column, value) in values.enumerated() where !value.isClass {
            throw MetricsError.nonFinite(input: input, row: row, column: column)
        }
    }
}

/// Columns of a real table (column-major copies), after shape and finiteness checks.
func realColumns(_ table: [[Double]], input: String) throws -> [[Double]] {
    let shape = try checkedShape(table.map(\.count), input: input)
    try checkFinite(table, input: input)
    return (0..<shape.columns).map { column in table.map { $0[column] } }
}
