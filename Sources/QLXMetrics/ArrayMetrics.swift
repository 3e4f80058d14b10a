import QLXData

/// The metrics of plain arrays, as `qlx metrics --sources S.npy --latents Z.npy` computes
/// them: sources (samples × factors, integer or real) are label-encoded per column; latents
/// (samples × latents) are discrete (label-encoded) or, with `continuous`, real values.
public enum ArrayMetrics {
    public static func evaluate(sources: NpyArray, sourcesName: String, latents: NpyArray, latentsName: String,
                                continuous: Bool, factorNames: [String]? = nil, seed: UInt64 = 0,
                                chanceSeed: UInt64? = nil) throws -> MetricsReport {
        for (array, name) in [(sources, sourcesName), (latents, latentsName)] {
            guard array.shape.count == 2 else { throw MetricsError.wrongDimensions(input: name, found: array.shape) }
            guard array.shape[0] > 0 && array.shape[1] > 0 else { throw MetricsError.empty(input: name, shape: array.shape) }
        }
        guard sources.shape[0] == latents.shape[0] else {
            throw MetricsError.rowCountMismatch(sources: sourcesName, sourceRows: sources.shape[0],
                                                latents: latentsName, latentRows: latents.shape[0])
        }
        let names = factorNames ?? (0..<sources.shape[1]).map { "s\($0)" }
        guard names.count == sources.shape[1] else {
            throw MetricsError.factorNameCount(expected: sources.shape[1], found: names.count)
        }
        let sourceColumns = try labelEncoded(sources, name: sourcesName)
        if continuous {
            let values = latents.doubles
            let columns = latents.shape[1]
            let latentColumns = (0..<columns).map { j in (0..<latents.shape[0]).map { values[$0 * columns + j] } }
            let result = try withFactorNames(names) {
                try InfoMEC.continuous(sources: sourceColumns, latentColumns: latentColumns, seed: seed,
                                       sourcesName: sourcesName, latentsName: latentsName)
            }
            var report = try MetricsReport(factorNames: names, infoMEC: result, latentKind: .continuous,
                                           samples: latents.shape[0])
            report.chance = try chanceSeed.map {
                try InfoMEC.continuousChance(sources: sourceColumns, latentColumns: latentColumns, seed: $0,
                                             sourcesName: sourcesName, latentsName: latentsName)
            }
            report.dci = try DCI.compute(factors: sourceColumns, latentColumns: latentColumns, seed: seed,
                                         factorNames: names, sourcesName: sourcesName)
            return report
        }
        let latentColumns = try labelEncoded(latents, name: latentsName)
        let result = try withFactorNames(names) {
            try InfoMEC.discrete(sources: sourceColumns, latents: latentColumns,
                                 sourcesName: sourcesName, latentsName: latentsName)
        }
        var report = try MetricsReport(factorNames: names, infoMEC: result, latentKind: .discrete,
                                       samples: latents.shape[0], codebookUsage: usage(of: latents, encoded: latentColumns))
        report.chance = try chanceSeed.map {
            try InfoMEC.discreteChance(sources: sourceColumns, latents: latentColumns, seed: $0,
                                       sourcesName: sourcesName, latentsName: latentsName)
        }
        let values = latents.doubles, columns = latents.shape[1]
        report.dci = try DCI.compute(factors: sourceColumns, latentColumns: (0..<columns).map { j in
            (0..<latents.shape[0]).map { values[$0 * columns + j] }
        }, seed: seed, factorNames: names, sourcesName: sourcesName)
        // Values and factors by their label-encoded index (a column's n-th smallest value).
        let rows = latents.shape[0]
        report.valueMeanings = ValueMeanings(
            codes: (0..<rows).map { r in latentColumns.labels.map { Int($0[r]) } },
            factors: (0..<rows).map { r in sourceColumns.labels.map { Int($0[r]) } },
            codebookSize: latentColumns.classCounts.max() ?? 1)
        return report
    }

    /// Label-encodes each column of a 2-D integer or real array (NaN and Inf refused).
    static func labelEncoded(_ array: NpyArray, name: String) throws -> LabelEncodedColumns {
        let rows = array.shape[0], columns = array.shape[1]
        switch array.values {
        case .int64(let values):
            return try LabelEncodedColumns(rows: (0..<rows).map { r in (0..<columns).map { Int(values[r * columns + $0]) } }, input: name)
        case .float64(let values):
            return try LabelEncodedColumns(rows: (0..<rows).map { r in Array(values[(r * columns)..<((r + 1) * columns)]) }, input: name)
        }
    }

    /// Codebook usage: codes in 0..<n_v when the latents are non-negative integers (as
    /// `qlx encode` writes them; n_v = largest code + 1), else over each column's values.
    static func usage(of latents: NpyArray, encoded: LabelEncodedColumns) -> [CodebookUsage] {
        if case .int64(let values) = latents.values, let smallest = values.min(), smallest >= 0, let largest = values.max(),
           largest < 1 << 16 {
            let columns = latents.shape[1]
            let codes = (0..<latents.shape[0]).map { r in (0..<columns).map { Int(values[r * columns + $0]) } }
            return CodebookUsage.perLatent(codes: codes, codebookSize: Int(largest) + 1)
        }
        return encoded.labelCounts.map { CodebookUsage(counts: $0) }
    }

    /// Puts the factor's name into a constant-source error.
    static func withFactorNames<T>(_ names: [String], _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch MetricsError.constantSource(let input, let column, _) where column < names.count {
            throw MetricsError.constantSource(input: input, column: column, name: names[column])
        }
    }
}
