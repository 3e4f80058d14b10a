import QLXCore
import QLXModel

/// What an intervention on one latent does after a round trip through the model: for base
/// codes b (dataset samples), each latent j and each value v other than b_j, set z_j = v,
/// decode, re-encode. z_j "holds" when it comes back as v; it "leaks into" z_k (k ≠ j) when
/// z_k comes back different from b_k. Setting a latent to the value it already has is no
/// intervention, so it is left out: a latent the decoder ignores then never holds.
public struct InterventionMatrix: Codable, Sendable, Equatable {
    /// Base codes used.
    public var bases: Int
    /// changes[j][k]: share of the interventions on z_j after which z_k differs from the
    /// intervened code (for k = j: z_j did not come back as the value it was set to).
    public var changes: [[Double]]
    /// holdsPerValue[j][v]: share of the interventions setting z_j = v after which z_j = v.
    /// NaN-free: a value no base can be moved to (every base already has it) holds 1.
    public var holdsPerValue: [[Double]]

    public var latentCount: Int { changes.count }
    /// Share of the interventions on z_j after which z_j holds its new value.
    public func holds(_ j: Int) -> Double { 1 - changes[j][j] }

    /// A batch of codes → the codes of their decoded-then-encoded images, in order.
    public typealias RoundTrip = ([[Int]]) throws -> [[Int]]

    /// Interventions on `baseCodes` (values in 0..<codebookSize), round-tripped in batches of
    /// at most `batchSize` codes; `progress` gets 0…1 after each batch.
    public static func measure(baseCodes: [[Int]], codebookSize: Int, batchSize: Int = 250,
                               progress: (Double) -> Void = { _ in }, roundTrip: RoundTrip) throws -> InterventionMatrix {
        let latents = baseCodes.first?.count ?? 0
        var changed = [[Int]](repeating: [Int](repeating: 0, count: latents), count: latents)
        var held = [[Int]](repeating: [Int](repeating: 0, count: codebookSize), count: latents)
        var tried = [[Int]](repeating: [Int](repeating: 0, count: codebookSize), count: latents)
        // Every (base, latent, new value) in order; a batch is a slice of that sequence.
        var pending: [(base: Int, latent: Int, value: Int)] = []
        let total = baseCodes.count * latents * max(codebookSize - 1, 0)
        var done = 0
        func flush() throws {
            guard !pending.isEmpty else { return }
            let codes = pending.map { item -> [Int] in
                var code = baseCodes[item.base]
                code[item.latent] = item.value
                return code
            }
            let back = try roundTrip(codes)
            precondition(back.count == codes.count, "round trip returned \(back.count) codes for \(codes.count)")
            for (index, item) in pending.enumerated() {
                let j = item.latent
                tried[j][item.value] += 1
                if back[index][j] == item.value { held[j][item.value] += 1 }
                for k in 0..<latents where back[index][k] != codes[index][k] { changed[j][k] += 1 }
            }
            done += pending.count
            pending.removeAll(keepingCapacity: true)
            progress(total > 0 ? Double(done) / Double(total) : 1)
        }
        for (b, base) in baseCodes.enumerated() {
            for j in 0..<latents {
                for v in 0..<codebookSize where v != base[j] {
                    pending.append((b, j, v))
                    if pending.count == batchSize { try flush() }
                }
            }
        }
        try flush()
        let perLatent = baseCodes.count * max(codebookSize - 1, 0)
        return InterventionMatrix(
            bases: baseCodes.count,
            changes: changed.map { row in row.map { perLatent > 0 ? Double($0) / Double(perLatent) : 0 } },
            holdsPerValue: (0..<latents).map { j in
                (0..<codebookSize).map { v in tried[j][v] > 0 ? Double(held[j][v]) / Double(tried[j][v]) : 1 }
            })
    }

    /// Codes per round-trip batch on a model: 64 of its shards (`QLAE.roundTrip`), so that the
    /// core left idle while the other finishes a batch's last shard idles for a small share of
    /// the batch.
    public static let modelBatchSize = 1024

    /// Interventions on a quantized model: decodes and re-encodes in batches, on `Parallel`'s
    /// task team or on `team` (a background job's low-priority threads).
    public static func measure(model: QLAE, baseCodes: [[Int]], on team: BackgroundTeam? = nil,
                               progress: (Double) -> Void = { _ in }) throws -> InterventionMatrix {
        guard model.config.latent.quantized else {
            throw MetricsError.invalidSetting(name: "interventions", expected: "a quantized model (codes to set)",
                                              found: "a model with continuous latents")
        }
        return try measure(baseCodes: baseCodes, codebookSize: model.config.latent.valuesPerLatent,
                           batchSize: modelBatchSize, progress: progress) { codes in
            model.roundTrip(codes: codes, on: team)
        }
    }
}
