/// Maps the values of one column to 0…(distinct − 1) in sorted order (scikit-learn's
/// LabelEncoder, numpy's unique with return_inverse): the one encoding of factor classes
/// from files and of codes and factors for the metrics.
public func labelEncode<Value: Comparable & Hashable>(_ column: [Value]) -> (labels: [Int32], classCount: Int) {
    let distinct = Array(Set(column)).sorted()
    var index = [Value: Int32](minimumCapacity: distinct.count)
    for (i, value) in distinct.enumerated() { index[value] = Int32(i) }
    return (column.map { index[$0]! }, distinct.count)
}
