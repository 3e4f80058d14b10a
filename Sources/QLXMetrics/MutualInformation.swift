import Foundation
import QLXCore

/// Plug-in (empirical) mutual information between label-encoded variables, in nats, as
/// scikit-learn's `mutual_info_score`:
///     I(a; b) = Σ_xy (n_xy / N) · (log n_xy + log N − log n_x − log n_y),
/// with terms smaller than machine epsilon dropped and the total clipped at 0.
public enum PlugInMutualInformation {
    /// I(a; b) for labels `a` in 0..<aClasses and `b` in 0..<bClasses.
    public static func mutualInformation(_ a: [Int32], classes aClasses: Int,
                                         _ b: [Int32], classes bClasses: Int) -> Double {
        precondition(a.count == b.count && !a.isEmpty)
        var joint = [Int](repeating: 0, count: aClasses * bClasses)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                for i in 0..<a.count { joint[Int(a[i]) * bClasses + Int(b[i])] += 1 }
            }
        }
        var aCounts = [Int](repeating: 0, count: aClasses)
        var bCounts = [Int](repeating: 0, count: bClasses)
        for x in 0..<aClasses {
            for y in 0..<bClasses {
                aCounts[x] += joint[x * bClasses + y]
                bCounts[y] += joint[x * bClasses + y]
            }
        }
        let total = Double(a.count)
        let logTotal = log(total)
        var sum = 0.0
        for x in 0..<aClasses where aCounts[x] > 0 {
            let logX = log(Double(aCounts[x]))
            for y in 0..<bClasses {
                let count = joint[x * bClasses + y]
                guard count > 0 else { continue }
                let n = Double(count)
                let term = n / total * (log(n) + logTotal - logX - log(Double(bCounts[y])))
                if abs(term) >= Double.ulpOfOne { sum += term }
            }
        }
        return max(sum, 0)
    }

    /// H(a) = I(a; a) in nats.
    public static func entropy(_ a: [Int32], classes: Int) -> Double {
        var counts = [Int](repeating: 0, count: classes)
        for label in a { counts[Int(label)] += 1 }
        let total = Double(a.count)
        var sum = 0.0
        for count in counts where count > 0 {
            let p = Double(count) / total
            sum -= p * log(p)
        }
        return max(sum, 0)
    }

    /// MI[i][j] between every source column i and latent column j.
    public static func matrix(sources: LabelEncodedColumns, latents: LabelEncodedColumns) -> [[Double]] {
        precondition(sources.rows == latents.rows)
        var result = [[Double]](repeating: [Double](repeating: 0, count: latents.columns), count: sources.columns)
        // Pairs are independent; spread them over the cores.
        let pairs = sources.columns * latents.columns
        let values = UnsafeMutableBufferPointer<Double>.allocate(capacity: pairs)
        defer { values.deallocate() }
        Parallel.forEach(count: pairs) { pair in
            let i = pair / latents.columns, j = pair % latents.columns
            values[pair] = mutualInformation(sources.labels[i], classes: sources.classCounts[i],
                                             latents.labels[j], classes: latents.classCounts[j])
        }
        for pair in 0..<pairs { result[pair / latents.columns][pair % latents.columns] = values[pair] }
        return result
    }
}
