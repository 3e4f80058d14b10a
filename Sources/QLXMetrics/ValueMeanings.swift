/// What each value of each latent means over the evaluated samples: how many samples take it
/// and, per factor, the factor value most of them have (e.g. z8 = 3 · 412 samples · objectHue
/// 7 (88%)). From the same codes and ground-truth factors the other metrics use.
public struct ValueMeanings: Codable, Sendable, Equatable {
    /// The most common value of one factor among the samples coded to one latent value.
    public struct Mode: Codable, Sendable, Equatable {
        /// The factor's value index.
        public var value: Int
        /// Samples with that factor value.
        public var count: Int
        /// count / samples coded to the latent value.
        public var share: Double

        public init(value: Int, count: Int, share: Double) {
            self.value = value
            self.count = count
            self.share = share
        }
    }

    /// One latent value.
    public struct Entry: Codable, Sendable, Equatable {
        public var samples: Int
        /// One mode per factor; empty when no sample takes the value.
        public var modes: [Mode]
    }

    /// entries[latent][value].
    public var entries: [[Entry]]
    /// A readable name per factor value (`valueNames[factor][value]`): the dataset's
    /// ("cylinder") or the index.
    public var valueNames: [[String]]

    /// Counts codes (samples × latents, values in 0..<codebookSize) against factors (samples ×
    /// factors, value indices ≥ 0). Each factor has as many values as `valueNames` names or the
    /// samples reach, whichever is more. Ties between factor values go to the smaller index.
    public init(codes: [[Int]], factors: [[Int]], codebookSize: Int, valueNames: [[String]]? = nil) {
        precondition(codes.count == factors.count, "\(codes.count) code rows for \(factors.count) factor rows")
        let latents = codes.first?.count ?? 0
        let factorCount = factors.first?.count ?? 0
        let sizes = (0..<factorCount).map { i in
            max(valueNames?[i].count ?? 0, (factors.map { $0[i] }.max() ?? 0) + 1)
        }
        let offsets = sizes.indices.map { sizes[..<$0].reduce(0, +) }
        let width = sizes.reduce(0, +)
        // counts[(latent · codebookSize + value) · width + offsets[factor] + factorValue]
        var counts = [Int](repeating: 0, count: latents * codebookSize * width)
        var samples = [Int](repeating: 0, count: latents * codebookSize)
        for (row, factorRow) in zip(codes, factors) {
            for j in 0..<latents {
                let cell = j * codebookSize + row[j]
                samples[cell] += 1
                for (i, value) in factorRow.enumerated() { counts[cell * width + offsets[i] + value] += 1 }
            }
        }
        entries = (0..<latents).map { j in
            (0..<codebookSize).map { v in
                let cell = j * codebookSize + v
                let n = samples[cell]
                guard n > 0 else { return Entry(samples: 0, modes: []) }
                let modes = sizes.indices.map { i -> Mode in
                    let base = cell * width + offsets[i]
                    var best = 0
                    for value in 1..<max(sizes[i], 1) where counts[base + value] > counts[base + best] { best = value }
                    return Mode(value: best, count: counts[base + best], share: Double(counts[base + best]) / Double(n))
                }
                return Entry(samples: n, modes: modes)
            }
        }
        self.valueNames = sizes.indices.map { i in
            (0..<sizes[i]).map { v in valueNames.flatMap { $0[i].indices.contains(v) ? $0[i][v] : nil } ?? "\(v)" }
        }
    }

    public var latentCount: Int { entries.count }

    /// "objectHue 7 (88%)" for one factor's mode of a latent value; nil when no sample takes it.
    public func modeText(latent: Int, value: Int, factor: Int, factorNames: [String]) -> String? {
        guard entries.indices.contains(latent), entries[latent].indices.contains(value) else { return nil }
        let entry = entries[latent][value]
        guard entry.modes.indices.contains(factor) else { return nil }
        let mode = entry.modes[factor]
        return "\(factorNames[factor]) \(name(factor: factor, value: mode.value)) (\(Int((mode.share * 100).rounded()))%)"
    }

    /// The factor value's name, or its index when it has none.
    public func name(factor: Int, value: Int) -> String {
        valueNames.indices.contains(factor) && valueNames[factor].indices.contains(value) ? valueNames[factor][value] : "\(value)"
    }
}
