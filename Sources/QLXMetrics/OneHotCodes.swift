/// Discrete latents as the one-hot inputs of a regression: latent b's value v is feature
/// offsets[b] + v. Products with such a matrix are gathers and scatters of weight rows; to
/// halve their count, latents are taken in pairs (b, b + 1) whose weight rows are summed
/// into a table of size[b] · size[b + 1] rows once per evaluation, so each sample gathers
/// one row per pair instead of one per latent (the same sums, in a different order).
public struct OneHotCodes: Sendable {
    public let rows: Int
    /// Values per latent (one-hot block widths).
    public let blockSizes: [Int]
    /// First feature of each block.
    public let offsets: [Int]
    public let features: Int
    /// Feature index per (row, block), rows × blocks.
    public let indices: [Int32]

    /// A pair of blocks (or a single block, `second == nil`) and where its table starts.
    struct Pair: Sendable {
        var first: Int
        var second: Int?
        var tableOffset: Int
    }
    let pairs: [Pair]
    let tableRows: Int
    /// Table row per (row, pair), rows × pairs.
    let pairIndices: [Int32]

    /// Largest pair table (rows); wider pairs stay single so tables fit in cache.
    static let maximumPairTable = 4096

    /// `labels[b][i]` is latent b's value index (0..<blockSizes[b]) for sample i.
    public init(labels: [[Int32]], blockSizes: [Int]) {
        precondition(labels.count == blockSizes.count && !labels.isEmpty)
        let rows = labels[0].count
        self.rows = rows
        self.blockSizes = blockSizes
        var offsets: [Int] = [], features = 0
        for size in blockSizes { offsets.append(features); features += size }
        self.offsets = offsets
        self.features = features
        var indices = [Int32](repeating: 0, count: rows * blockSizes.count)
        for b in blockSizes.indices {
            for i in 0..<rows { indices[i * blockSizes.count + b] = labels[b][i] + Int32(offsets[b]) }
        }
        self.indices = indices

        var pairs: [Pair] = [], tableRows = 0, b = 0
        while b < blockSizes.count {
            if b + 1 < blockSizes.count && blockSizes[b] * blockSizes[b + 1] <= Self.maximumPairTable {
                pairs.append(Pair(first: b, second: b + 1, tableOffset: tableRows))
                tableRows += blockSizes[b] * blockSizes[b + 1]
                b += 2
            } else {
                pairs.append(Pair(first: b, second: nil, tableOffset: tableRows))
                tableRows += blockSizes[b]
                b += 1
            }
        }
        self.pairs = pairs
        self.tableRows = tableRows
        var pairIndices = [Int32](repeating: 0, count: rows * pairs.count)
        for (p, pair) in pairs.enumerated() {
            for i in 0..<rows {
                var row = pair.tableOffset + Int(labels[pair.first][i])
                if let second = pair.second {
                    row = pair.tableOffset + Int(labels[pair.first][i]) * blockSizes[second] + Int(labels[second][i])
                }
                pairIndices[i * pairs.count + p] = Int32(row)
            }
        }
        self.pairIndices = pairIndices
    }

    /// Rows of a pair's table.
    func tableRows(of pair: Pair) -> Int {
        blockSizes[pair.first] * (pair.second.map { blockSizes[$0] } ?? 1)
    }

    /// Pair tables from weights W (features × columns): table row (v1, v2) = W[v1] + W[v2],
    /// table rows `stride` ≥ columns apart.
    func fillTables(weights w: UnsafePointer<Double>, columns c: Int, into table: UnsafeMutablePointer<Double>, stride: Int) {
        for pair in pairs {
            let first = w + offsets[pair.first] * c
            guard let second = pair.second else {
                for v in 0..<blockSizes[pair.first] {
                    (table + (pair.tableOffset + v) * stride).update(from: first + v * c, count: c)
                }
                continue
            }
            let secondWeights = w + offsets[second] * c
            for v1 in 0..<blockSizes[pair.first] {
                for v2 in 0..<blockSizes[second] {
                    let out = table + (pair.tableOffset + v1 * blockSizes[second] + v2) * stride
                    let a = first + v1 * c, b = secondWeights + v2 * c
                    for k in 0..<c { out[k] = a[k] + b[k] }
                }
            }
        }
    }

    /// Adds the gradient of the pair tables into the weight gradient: a table row's gradient
    /// goes to both of its weight rows.
    func reduceTables(_ table: UnsafePointer<Double>, columns c: Int, stride: Int, into gradient: UnsafeMutablePointer<Double>) {
        for pair in pairs {
            let first = gradient + offsets[pair.first] * c
            guard let second = pair.second else {
                for v in 0..<blockSizes[pair.first] {
                    let row = table + (pair.tableOffset + v) * stride, out = first + v * c
                    for k in 0..<c { out[k] += row[k] }
                }
                continue
            }
            let secondGradient = gradient + offsets[second] * c
            for v1 in 0..<blockSizes[pair.first] {
                for v2 in 0..<blockSizes[second] {
                    let row = table + (pair.tableOffset + v1 * blockSizes[second] + v2) * stride
                    let a = first + v1 * c, b = secondGradient + v2 * c
                    for k in 0..<c {
                        a[k] += row[k]
                        b[k] += row[k]
                    }
                }
            }
        }
    }

    /// Column sums of the first pair's table (columns of `out`, which it overwrites).
    func sumFirstTable(_ table: UnsafePointer<Double>, columns c: Int, stride: Int, into out: UnsafeMutablePointer<Double>) {
        out.update(repeating: 0, count: c)
        let first = pairs[0]
        for r in first.tableOffset..<(first.tableOffset + tableRows(of: first)) {
            for k in 0..<c { out[k] += table[r * stride + k] }
        }
    }
}
