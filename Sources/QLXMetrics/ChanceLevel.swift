import QLXCore
import QLXData

/// InfoMEC of the same latents with their rows shuffled: what the estimators give a code of
/// this size that carries no information about any factor.
///
/// Why it is worth reporting: InfoE fits its regressions in-sample and without a penalty, and
/// NMI uses the plug-in estimator, which is biased upward by about (values − 1)(classes − 1) /
/// (2 × samples). Both grow with the number of one-hot columns, so a 10 × 32 code scores
/// InfoE ≈ 0.1 and NMI ≈ 0.015 per (latent, 40-class factor) pair from chance alone, against
/// 0.03 and 0.005 for 10 × 10. Comparing codebook sizes needs both figures.
///
/// Shuffling keeps each latent's histogram and the joint distribution of the latents, and
/// removes all dependence on the factors.
public struct ChanceLevel: Embedding, Codable, Sendable, Equatable {
    public static var embedded: WritableKeyPath<ChanceLevel, InfoMECResult> { \.shuffled }
    /// Seed of the row shuffle.
    public var seed: UInt64
    /// InfoMEC of the shuffled latents, read through as `chance.infoE`.
    public var shuffled: InfoMECResult

    public init(seed: UInt64, shuffled: InfoMECResult) {
        self.seed = seed
        self.shuffled = shuffled
    }

    public init(from decoder: Decoder) throws {
        (shuffled, seed) = try FlatCoding.decode(from: decoder, field: "seed")
    }

    public func encode(to encoder: Encoder) throws {
        try FlatCoding.encode(shuffled, field: "seed", seed, to: encoder)
    }
}

/// A seeded permutation of sample rows (Fisher–Yates), applied alike to every latent column.
public struct RowShuffle: Sendable {
    public let order: [Int]

    public init(rows: Int, seed: UInt64) {
        // Written out rather than `shuffle(using:)`, whose algorithm the standard library does
        // not promise to keep: a seed must give the same figures with every toolchain.
        var generator = SeededGenerator(seed: seed)
        var order = Array(0..<rows)
        for i in stride(from: rows - 1, to: 0, by: -1) {
            order.swapAt(i, uniformIndex(below: i + 1, using: &generator))
        }
        self.order = order
    }

    public func apply<Element>(to column: [Element]) -> [Element] {
        precondition(column.count == order.count, "column of \(column.count) rows, shuffle of \(order.count)")
        return order.map { column[$0] }
    }
}

extension InfoMEC {
    /// The chance level of discrete latents (see `ChanceLevel`).
    public static func discreteChance(sources: LabelEncodedColumns, latents: LabelEncodedColumns, seed: UInt64,
                                      sourcesName: String = "sources", latentsName: String = "latents") throws -> ChanceLevel {
        let shuffle = RowShuffle(rows: latents.rows, seed: seed)
        let shuffled = LabelEncodedColumns(rows: latents.rows, labels: latents.labels.map(shuffle.apply),
                                           classCounts: latents.classCounts)
        return ChanceLevel(seed: seed, shuffled: try discrete(sources: sources, latents: shuffled,
                                                              sourcesName: sourcesName, latentsName: latentsName))
    }

    /// The chance level of continuous latents (`latentColumns[j]` holds latent j per sample).
    public static func continuousChance(sources: LabelEncodedColumns, latentColumns: [[Double]], seed: UInt64,
                                        sourcesName: String = "sources", latentsName: String = "latents") throws -> ChanceLevel {
        let shuffle = RowShuffle(rows: latentColumns.first?.count ?? 0, seed: seed)
        let result = try continuous(sources: sources, latentColumns: latentColumns.map(shuffle.apply), seed: seed,
                                    sourcesName: sourcesName, latentsName: latentsName)
        return ChanceLevel(seed: seed, shuffled: result)
    }
}
