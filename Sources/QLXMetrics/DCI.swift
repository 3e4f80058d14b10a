import Foundation
import QLXCore

/// DCI (Eastwood & Williams 2018) as disentanglement_lib computes it: disentanglement,
/// completeness and informativeness of the latents, from one gradient-boosted classifier per
/// factor (`BoostedTrees`, scikit-learn's defaults) trained on part of the samples.
public struct DCIResult: Codable, Sendable, Equatable {
    /// Σ_j ρ_j (1 − H_K(P_j·)): each latent's importance spread over the K factors, weighted
    /// by the latent's share of all importance.
    public var disentanglement: Double
    /// Σ_i ρ_i (1 − H_L(P_·i)): each factor's importance spread over the L latents, weighted
    /// by the factor's share.
    public var completeness: Double
    /// Mean test accuracy of the classifiers.
    public var informativeness: Double
    /// Importance of latent j for factor i, latents × factors (each column sums to 1, or 0).
    public var importance: [[Double]]
    public var disentanglementPerLatent: [Double]
    public var completenessPerFactor: [Double]
    public var testAccuracy: [Double]
    public var trainAccuracy: [Double]
    public var trainSamples: Int
    public var testSamples: Int
}

public enum DCI {
    /// disentanglement_lib trains on 10,000 samples and tests on 5,000: a third held out.
    public static let testFraction = 1.0 / 3.0

    /// DCI of latent columns (`latentColumns[j][row]`, raw values: codes or continuous) against
    /// label-encoded factors, with a seeded third of the rows held out for informativeness
    /// (a shuffle, so rows in file order do not put the last factor values in the test part).
    public static func compute(factors: LabelEncodedColumns, latentColumns: [[Double]], seed: UInt64,
                               factorNames: [String]? = nil, sourcesName: String = "sources") throws -> DCIResult {
        let rows = factors.rows
        guard latentColumns.allSatisfy({ $0.count == rows }) else {
            throw MetricsError.rowCountMismatch(sources: sourcesName, sourceRows: rows, latents: "latents",
                                                latentRows: latentColumns.first(where: { $0.count != rows })?.count ?? 0)
        }
        let testRows = Int((Double(rows) * testFraction).rounded(.down))
        guard testRows >= 1 else {
            throw MetricsError.invalidSetting(name: "samples", expected: "at least 3 for DCI (a third is held out)", found: "\(rows)")
        }
        let order = RowShuffle(rows: rows, seed: seed).order
        let train = Array(order[testRows...]), test = Array(order[..<testRows])
        return try compute(trainFactors: factors.labels.map { column in train.map { column[$0] } },
                           trainLatents: latentColumns.map { column in train.map { column[$0] } },
                           testFactors: factors.labels.map { column in test.map { column[$0] } },
                           testLatents: latentColumns.map { column in test.map { column[$0] } },
                           seed: seed, factorNames: factorNames, sourcesName: sourcesName)
    }

    /// DCI from explicit train and test parts (columns: `trainFactors[i][row]`, factor labels
    /// as integers; `trainLatents[j][row]`). A factor with a single value among the training
    /// rows is refused, as scikit-learn refuses to fit a classifier to one class.
    public static func compute(trainFactors: [[Int32]], trainLatents: [[Double]], testFactors: [[Int32]],
                               testLatents: [[Double]], seed: UInt64, factorNames: [String]? = nil,
                               sourcesName: String = "sources") throws -> DCIResult {
        let factorCount = trainFactors.count, latentCount = trainLatents.count
        guard factorCount >= 2 else { throw MetricsError.tooFewSources(input: sourcesName, found: factorCount) }
        guard latentCount >= 2 else {
            throw MetricsError.invalidSetting(name: "latents", expected: "at least 2 for DCI (completeness is an entropy over latents)",
                                              found: "\(latentCount)")
        }
        let trainRows = trainFactors[0].count, testRows = testFactors.first?.count ?? 0
        // Each factor's training labels re-encoded to the classes present (test labels of
        // other classes can never be predicted: they count as errors).
        var encodings: [(train: [Int32], test: [Int32], classes: Int)] = []
        for i in 0..<factorCount {
            let present = Array(Set(trainFactors[i])).sorted()
            guard present.count >= 2 else {
                throw MetricsError.constantSource(input: sourcesName + " (DCI training rows)", column: i,
                                                  name: factorNames?[i] ?? "s\(i)")
            }
            var map: [Int32: Int32] = [:]
            for (index, label) in present.enumerated() { map[label] = Int32(index) }
            encodings.append((trainFactors[i].map { map[$0]! }, testFactors[i].map { map[$0] ?? -1 }, present.count))
        }
        let bins = FeatureBins(columns: trainLatents)
        var testMatrix = [Double](repeating: 0, count: testRows * latentCount)
        for j in 0..<latentCount { for r in 0..<testRows { testMatrix[r * latentCount + j] = Double(Float(testLatents[j][r])) } }

        let fits = UnsafeMutableBufferPointer<(importance: [Double], train: Double, test: Double)>.allocate(capacity: factorCount)
        defer { fits.deallocate() }
        // Most classes first, so the largest fits do not come last on a core of their own.
        let schedule = (0..<factorCount).sorted { encodings[$0].classes > encodings[$1].classes }
        Parallel.forEachTask(count: factorCount) { task in
            let i = schedule[task]
            let e = encodings[i]
            let model = BoostedTrees(bins: bins, labels: e.train, classes: e.classes,
                                     seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(i + 1))
            let trainHits = zip(model.trainingPredictions, e.train).filter { $0 == $1 }.count
            let testHits = zip(model.predict(rows: testMatrix, features: latentCount), e.test).filter { $0 == $1 }.count
            (fits.baseAddress! + i).initialize(to: (model.importances, Double(trainHits) / Double(trainRows),
                                                    testRows > 0 ? Double(testHits) / Double(testRows) : .nan))
        }
        let importance = (0..<latentCount).map { j in (0..<factorCount).map { abs(fits[$0].importance[j]) } }
        let perLatent = importance.map { 1 - normalisedEntropy($0, base: factorCount) }
        let perFactor = (0..<factorCount).map { i in 1 - normalisedEntropy(importance.map { $0[i] }, base: latentCount) }
        let total = importance.joined().reduce(0, +)
        // As disentanglement_lib: with no importance at all, every latent and factor weighs the same.
        let latentWeights = importance.map { total > 0 ? $0.reduce(0, +) / total : 1 / Double(latentCount) }
        let factorWeights = (0..<factorCount).map { i in
            total > 0 ? importance.reduce(0) { $0 + $1[i] } / total : 1 / Double(factorCount)
        }
        let testAccuracy = (0..<factorCount).map { fits[$0].test }
        let result = DCIResult(
            disentanglement: zip(perLatent, latentWeights).reduce(0) { $0 + $1.0 * $1.1 },
            completeness: zip(perFactor, factorWeights).reduce(0) { $0 + $1.0 * $1.1 },
            informativeness: testAccuracy.reduce(0, +) / Double(factorCount),
            importance: importance, disentanglementPerLatent: perLatent, completenessPerFactor: perFactor,
            testAccuracy: testAccuracy, trainAccuracy: (0..<factorCount).map { fits[$0].train },
            trainSamples: trainRows, testSamples: testRows)
        (0..<factorCount).forEach { (fits.baseAddress! + $0).deinitialize(count: 1) }
        return result
    }

    /// H of the distribution (p + 1e-11) / Σ(p + 1e-11) in base `base` (scipy.stats.entropy
    /// after disentanglement_lib adds 1e-11, so an all-zero row is uniform).
    static func normalisedEntropy(_ weights: [Double], base: Int) -> Double {
        let shifted = weights.map { $0 + 1e-11 }
        let sum = shifted.reduce(0, +)
        var entropy = 0.0
        for w in shifted {
            let p = w / sum
            if p > 0 { entropy -= p * log(p) }
        }
        return entropy / log(Double(base))
    }
}
