import Foundation
import QLXCore

/// The figures of InfoMEC (Hsu et al. 2023) and MIG for one set of sources and latents.
public struct InfoMECResult: Codable, Sendable, Equatable {
    /// NMI[i][j] = I(s_i; z_j) / H(s_i), sources × latents.
    public var nmi: [[Double]]
    /// I(s_i; z_j) in nats, sources × latents.
    public var mutualInformation: [[Double]]
    /// H(s_i) in nats.
    public var sourceEntropies: [Double]
    public var activeLatents: [Bool]
    public var infoM: Double
    public var infoE: Double
    public var infoC: Double
    public var mig: Double
    /// (H_null − CE_i) / H_null per source: the terms InfoE averages.
    public var explicitnessPerSource: [Double]
    /// For each active latent, the source it is most informative about (argmax_i NMI[i][j]).
    public var latentFactor: [Int?]

    /// The three InfoMEC scores' names, in the order every report shows them.
    public static let scoreNames = ["InfoM", "InfoE", "InfoC"]
    /// InfoM, InfoE and InfoC, in `scoreNames`' order.
    public var scores: [Double] { [infoM, infoE, infoC] }

    public init(nmi: [[Double]], mutualInformation: [[Double]], sourceEntropies: [Double], activeLatents: [Bool],
                infoM: Double, infoE: Double, infoC: Double, mig: Double, explicitnessPerSource: [Double],
                latentFactor: [Int?]) {
        self.nmi = nmi
        self.mutualInformation = mutualInformation
        self.sourceEntropies = sourceEntropies
        self.activeLatents = activeLatents
        self.infoM = infoM
        self.infoE = infoE
        self.infoC = infoC
        self.mig = mig
        self.explicitnessPerSource = explicitnessPerSource
        self.latentFactor = latentFactor
    }
}

/// InfoMEC as the reference evaluation computes it (see docs/method.md): NMI by plug-in MI for
/// discrete latents or the k-NN estimator for continuous ones; InfoM and InfoC over active
/// latents; InfoE from balanced, unpenalised multinomial logistic regressions.
///
/// Where the reference would divide 0 by 0 because an active latent carries no information
/// about any source (or a source about any active latent), its max/sum ratio is taken as
/// uniform (1/K, resp. 1/L), which contributes 0 after normalisation.
public enum InfoMEC {
    /// Discrete latents (codes or quantized values; each column is label-encoded).
    public static func discrete(sources: [[Int]], codes: [[Int]]) throws -> InfoMECResult {
        let s = try LabelEncodedColumns(rows: sources, input: "sources")
        let z = try LabelEncodedColumns(rows: codes, input: "latents")
        return try discrete(sources: s, latents: z)
    }

    public static func discrete(sources: LabelEncodedColumns, latents: LabelEncodedColumns,
                                sourcesName: String = "sources", latentsName: String = "latents") throws -> InfoMECResult {
        try validate(sources: sources, sourcesName: sourcesName, latentRows: latents.rows, latentsName: latentsName)
        let mi = PlugInMutualInformation.matrix(sources: sources, latents: latents)
        let active = latents.classCounts.map { $0 > 1 }
        let design = RegressionDesign.oneHot(OneHotCodes(labels: latents.labels, blockSizes: latents.classCounts))
        return try assemble(sources: sources, mutualInformation: mi, active: active, design: design)
    }

    /// Continuous latents (rows × latents of real values).
    public static func continuous(sources: [[Int]], latents: [[Double]], seed: UInt64 = 0) throws -> InfoMECResult {
        let s = try LabelEncodedColumns(rows: sources, input: "sources")
        return try continuous(sources: s, latentColumns: try realColumns(latents, input: "latents"), seed: seed)
    }

    /// `latentColumns[j]` holds latent j for every sample. `seed` drives the tie-breaking
    /// noise of the k-NN estimator.
    public static func continuous(sources: LabelEncodedColumns, latentColumns: [[Double]], seed: UInt64 = 0,
                                  sourcesName: String = "sources", latentsName: String = "latents") throws -> InfoMECResult {
        guard let rows = latentColumns.first?.count, rows > 0 else {
            throw MetricsError.empty(input: latentsName, shape: [latentColumns.first?.count ?? 0, latentColumns.count])
        }
        try validate(sources: sources, sourcesName: sourcesName, latentRows: rows, latentsName: latentsName)
        for (j, column) in latentColumns.enumerated() {
            precondition(column.count == rows, "latent columns of different lengths")
            if let row = column.firstIndex(where: { !$0.isFinite }) {
                throw MetricsError.nonFinite(input: latentsName, row: row, column: j)
            }
        }
        let mi = NearestNeighbourMutualInformation.matrix(sources: sources, latents: latentColumns, seed: seed)
        let ranges = latentColumns.map { ($0.max()! - $0.min()!) }
        let widest = ranges.max()!
        let active = ranges.map { $0 > widest / 20 }
        // Standardised values, row-major for the regression.
        let standardisedColumns = latentColumns.map(standardised)
        var values = [Double](repeating: 0, count: rows * latentColumns.count)
        for (j, column) in standardisedColumns.enumerated() {
            for i in 0..<rows { values[i * latentColumns.count + j] = column[i] }
        }
        let design = RegressionDesign.dense(values: values, features: latentColumns.count)
        return try assemble(sources: sources, mutualInformation: mi, active: active, design: design)
    }

    static func validate(sources: LabelEncodedColumns, sourcesName: String, latentRows: Int, latentsName: String) throws {
        guard sources.rows == latentRows else {
            throw MetricsError.rowCountMismatch(sources: sourcesName, sourceRows: sources.rows,
                                                latents: latentsName, latentRows: latentRows)
        }
        guard sources.columns >= 2 else { throw MetricsError.tooFewSources(input: sourcesName, found: sources.columns) }
        if let constant = sources.classCounts.firstIndex(where: { $0 < 2 }) {
            throw MetricsError.constantSource(input: sourcesName, column: constant, name: "column \(constant)")
        }
    }

    /// NMI, active-latent pruning, InfoM, InfoC, MIG and InfoE from the MI matrix.
    static func assemble(sources: LabelEncodedColumns, mutualInformation mi: [[Double]], active: [Bool],
                         design: RegressionDesign) throws -> InfoMECResult {
        let entropies = sources.labels.indices.map {
            PlugInMutualInformation.entropy(sources.labels[$0], classes: sources.classCounts[$0])
        }
        let nmi = mi.indices.map { i in mi[i].map { $0 / entropies[i] } }
        let activeIndices = active.indices.filter { active[$0] }
        guard !activeIndices.isEmpty else { throw MetricsError.noActiveLatents(latents: active.count) }
        guard activeIndices.count >= 2 else { throw MetricsError.singleActiveLatent(index: activeIndices[0]) }

        let k = Double(sources.columns), l = Double(activeIndices.count)
        var modularity = 0.0
        var latentFactor = [Int?](repeating: nil, count: active.count)
        for j in activeIndices {
            let column = nmi.map { $0[j] }
            let sum = column.reduce(0, +)
            modularity += sum > 0 ? column.max()! / sum : 1 / k
            if sum > 0 { latentFactor[j] = column.indices.max { column[$0] < column[$1] } }
        }
        let infoM = (modularity / l - 1 / k) / (1 - 1 / k)
        var compactness = 0.0
        for row in nmi {
            let pruned = activeIndices.map { row[$0] }
            let sum = pruned.reduce(0, +)
            compactness += sum > 0 ? pruned.max()! / sum : 1 / l
        }
        let infoC = (compactness / k - 1 / l) / (1 - 1 / l)

        let mig = mi.indices.map { i -> Double in
            let sorted = mi[i].sorted(by: >)
            return (sorted[0] - (sorted.count > 1 ? sorted[1] : 0)) / entropies[i]
        }.reduce(0, +) / k

        let explicitness = explicitnessPerSource(sources: sources, design: design)
        let infoE = explicitness.reduce(0, +) / k
        return InfoMECResult(nmi: nmi, mutualInformation: mi, sourceEntropies: entropies, activeLatents: active,
                             infoM: infoM, infoE: infoE, infoC: infoC, mig: mig,
                             explicitnessPerSource: explicitness, latentFactor: latentFactor)
    }

    /// (H_null − CE_i) / H_null for every source, the regressions run in parallel.
    public static func explicitnessPerSource(sources: LabelEncodedColumns, design: RegressionDesign) -> [Double] {
        let results = ResultSlots(count: sources.columns)
        // A fit costs about samples × classes per evaluation and classes differ a lot between
        // sources (3 shapes vs 40 orientations): hand the largest out first and let each
        // worker take the next one when it is free, so the cores finish together.
        let order = (0..<sources.columns).sorted { sources.classCounts[$0] > sources.classCounts[$1] }
        DispatchQueue.concurrentPerform(iterations: order.count) { k in
            let i = order[k]
            let labels = sources.labels[i], classes = sources.classCounts[i]
            let crossEntropy = SoftmaxRegression(design: design, labels: labels, classes: classes).fit().logLoss
            // The null model needs no fit: with balanced class weights every class carries the
            // same total weight n/K, so the gradient vanishes at the zero start, L-BFGS (also
            // scikit-learn's) stops there, and the uniform prediction's log loss is log K.
            let null = log(Double(classes))
            results.store((null - crossEntropy) / null, at: i)
        }
        return results.values
    }
}

/// One slot per parallel job; each job writes only its own slot, and the values are read
/// after `concurrentPerform` has returned.
private final class ResultSlots: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Double>
    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: 0)
    }
    deinit { slots.deallocate() }
    func store(_ value: Double, at index: Int) { slots[index] = value }
    var values: [Double] { Array(slots) }
}
