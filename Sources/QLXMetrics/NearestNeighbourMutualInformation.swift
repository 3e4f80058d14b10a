import Foundation
import QLXCore

/// Mutual information between a continuous variable and a discrete one by the k-nearest-
/// neighbour estimator of Ross (2014), "Mutual Information between Discrete and Continuous
/// Data Sets", as scikit-learn's `mutual_info_classif(discrete_features=False)` computes it:
///   for each sample, d = distance to its k-th nearest neighbour among samples of the same
///   label (k = min(n_neighbors, label count − 1)); m = samples of any label strictly closer
///   than d (the sample itself included);
///   I = ψ(N) + ⟨ψ(k)⟩ − ⟨ψ(N_label)⟩ − ⟨ψ(m)⟩, clipped at 0,
/// where samples whose label occurs once are left out. Values in nats.
public enum NearestNeighbourMutualInformation {
    /// The n_neighbors of the InfoMEC definition.
    public static let defaultNeighbours = 10

    /// I(c; d) for continuous values `c` and labels `d` in 0..<classes.
    public static func mutualInformation(continuous c: [Double], labels d: [Int32], classes: Int,
                                         neighbours: Int = defaultNeighbours) -> Double {
        precondition(c.count == d.count && neighbours > 0)
        let order = c.indices.sorted { c[$0] < c[$1] }
        return mutualInformation(continuous: c, sortedOrder: order, labels: d, classes: classes,
                                 neighbours: neighbours)
    }

    /// The same with the ascending order of `c` already known (it is shared by all sources).
    static func mutualInformation(continuous c: [Double], sortedOrder order: [Int], labels d: [Int32],
                                  classes: Int, neighbours: Int) -> Double {
        var labelCounts = [Int](repeating: 0, count: classes)
        for label in d { labelCounts[Int(label)] += 1 }
        // Each label's values in ascending order, and all kept values (labels seen twice or more).
        var groups = labelCounts.map { count -> [Double] in
            var group = [Double](); group.reserveCapacity(count); return group
        }
        var kept: [Double] = []
        kept.reserveCapacity(c.count)
        for i in order {
            let label = Int(d[i])
            guard labelCounts[label] > 1 else { continue }
            groups[label].append(c[i])
            kept.append(c[i])
        }
        let n = kept.count
        guard n > 0 else { return 0 }
        let psi = Digamma.integerTable(upTo: n)

        var sumPsiK = 0.0, sumPsiLabel = 0.0, sumPsiM = 0.0
        for group in groups where group.count > 1 {
            let k = min(neighbours, group.count - 1)
            sumPsiK += Double(group.count) * psi[k]
            sumPsiLabel += Double(group.count) * psi[group.count]
            group.withUnsafeBufferPointer { g in
                kept.withUnsafeBufferPointer { all in
                    for p in 0..<g.count {
                        let distance = kthNeighbourDistance(g, position: p, k: k)
                        // Strictly closer than the k-th neighbour (scikit-learn: nextafter(d, 0)).
                        let radius = distance > 0 ? distance.nextDown : 0
                        sumPsiM += psi[countWithin(all, center: g[p], radius: radius)]
                    }
                }
            }
        }
        let count = Double(n)
        let mi = psi[n] + sumPsiK / count - sumPsiLabel / count - sumPsiM / count
        return max(0, mi)
    }

    /// Distance from g[position] to its k-th nearest other element of the sorted array `g`.
    @inline(__always)
    static func kthNeighbourDistance(_ g: UnsafeBufferPointer<Double>, position p: Int, k: Int) -> Double {
        var left = p - 1, right = p + 1
        var distance = 0.0
        for _ in 0..<k {
            let toLeft = left >= 0 ? g[p] - g[left] : .infinity
            let toRight = right < g.count ? g[right] - g[p] : .infinity
            if toLeft <= toRight { distance = toLeft; left -= 1 } else { distance = toRight; right += 1 }
        }
        return distance
    }

    /// Number of elements x of the sorted array with |x − center| ≤ radius.
    @inline(__always)
    static func countWithin(_ sorted: UnsafeBufferPointer<Double>, center: Double, radius: Double) -> Int {
        // First index with center − x ≤ radius, then first index with x − center > radius.
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if center - sorted[mid] > radius { low = mid + 1 } else { high = mid }
        }
        let start = low
        high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] - center > radius { high = mid } else { low = mid + 1 }
        }
        return low - start
    }

    /// A latent column as `mutual_info_classif` sees it in the InfoMEC pipeline: standardised
    /// (StandardScaler), scaled to unit variance again (the estimator's own `scale`), then
    /// jittered with 1e-10 · max(1, mean |x|) standard normal noise to break ties.
    public static func prepare(_ column: [Double], generator: inout SeededGenerator) -> [Double] {
        var values = standardised(column)
        let spread = populationStandardDeviation(values)
        if spread > 0 { for i in values.indices { values[i] /= spread } }
        let meanAbsolute = values.reduce(0) { $0 + abs($1) } / Double(values.count)
        let amplitude = 1e-10 * max(1, meanAbsolute)
        for i in values.indices { values[i] += amplitude * Double(generator.nextNormal()) }
        return values
    }

    /// MI[i][j] between every source i and every continuous latent column j (raw values);
    /// columns are prepared with noise from `seed`, so results are reproducible.
    public static func matrix(sources: LabelEncodedColumns, latents: [[Double]],
                              neighbours: Int = defaultNeighbours, seed: UInt64) -> [[Double]] {
        var generator = SeededGenerator(seed: seed)
        let prepared = latents.map { prepare($0, generator: &generator) }
        let orders = prepared.map { column in column.indices.sorted { column[$0] < column[$1] } }
        let pairs = sources.columns * latents.count
        let values = UnsafeMutableBufferPointer<Double>.allocate(capacity: pairs)
        defer { values.deallocate() }
        Parallel.forEach(count: pairs) { pair in
            let i = pair / latents.count, j = pair % latents.count
            values[pair] = mutualInformation(continuous: prepared[j], sortedOrder: orders[j],
                                             labels: sources.labels[i], classes: sources.classCounts[i],
                                             neighbours: neighbours)
        }
        return (0..<sources.columns).map { i in (0..<latents.count).map { values[i * latents.count + $0] } }
    }
}

/// (x − mean) / std with the population standard deviation; a constant column becomes zeros
/// (scikit-learn's StandardScaler treats a zero scale as 1). Scale-invariant: the column is
/// first scaled by the power of two that brings its largest |x| to [1, 2), which is exact
/// (ordinary data give the same bits), so neither squares nor sums of latents scaled by 1e154
/// overflow nor those of latents scaled by 1e-300 underflow.
func standardised(_ column: [Double]) -> [Double] {
    let largest = column.reduce(0) { max($0, abs($1)) }
    let column = largest > 0 && largest.isFinite ? column.map { scalbn($0, -Int(largest.exponent)) } : column
    let mean = column.reduce(0, +) / Double(column.count)
    let spread = populationStandardDeviation(column, mean: mean)
    let scale = spread > 0 ? spread : 1
    return column.map { ($0 - mean) / scale }
}

func populationStandardDeviation(_ column: [Double], mean: Double? = nil) -> Double {
    let m = mean ?? column.reduce(0, +) / Double(column.count)
    let variance = column.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(column.count)
    return variance.squareRoot()
}

/// The digamma function at positive integers: ψ(n) = −γ + Σ_{t<n} 1/t.
enum Digamma {
    static let eulerMascheroni = 0.577_215_664_901_532_860_6

    /// table[n] = ψ(n) for 1 ≤ n ≤ maximum (table[0] is unused).
    static func integerTable(upTo maximum: Int) -> [Double] {
        var table = [Double](repeating: 0, count: maximum + 1)
        var harmonic = 0.0
        for n in stride(from: 1, through: maximum, by: 1) {
            table[n] = harmonic - eulerMascheroni
            harmonic += 1 / Double(n)
        }
        return table
    }
}
