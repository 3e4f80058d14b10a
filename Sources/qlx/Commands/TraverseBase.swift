import QLXData

/// The sample `qlx traverse` starts from when `--from` is not given: one in which a change of
/// any factor shows. Sample 0 of the scenes has a red floor, wall and object, so its shape,
/// scale and orientation rows look alike; the sprites' sample 0 is a speck in a corner.
///
/// The search starts at the middle sample (every factor at its middle value: a mid-sized,
/// centred object). Factors whose values the dataset names colours (the scenes' floor, wall
/// and object hues) take the colours that lie furthest apart, so the object stands out from
/// the wall and the floor and the wall from the floor. The other factors are then gone through
/// once, each taking the value under which the sample's least visible factor change shows most
/// (`visibility`, measured on the dataset's images: a shape whose rotation shows, an object
/// large enough to see; a dataset without named colours gets its hues from this too). A
/// value replaces the middle one only when it shows clearly more, so factors that hardly
/// matter stay in the middle.
enum TraversalBase {
    /// How much more visible (as a fraction) a value must make the sample to replace the
    /// current one.
    static let margin = 0.1

    /// Per factor, how many other values the visibility of its change averages over.
    static let alternatives = 3

    /// The most colour combinations `contrastingColours` compares (10 hues for each of three
    /// surfaces: 1,000).
    static let colourCombinations = 4_096

    static func contrastingSample(in dataset: any FactorDataset) throws -> Int {
        var factors = dataset.factorSizes.map { $0 / 2 }
        let coloured = contrastingColours(in: dataset)
        for (f, value) in coloured { factors[f] = value }
        var best = try visibility(of: [factors], in: dataset)[0]
        for f in dataset.factorSizes.indices where coloured[f] == nil {
            let tuples = (0..<dataset.factorSizes[f]).map { v -> [Int] in var t = factors; t[f] = v; return t }
            let scores = try visibility(of: tuples, in: dataset)
            for (tuple, score) in zip(tuples, scores) {
                if let score, score > (best ?? -1) * (1 + margin) { (factors, best) = (tuple, score) }
            }
        }
        return dataset.existingIndex(of: factors) ?? 0
    }

    /// For datasets with two or more colour factors (`valueColour`), the values whose colours'
    /// smallest pairwise distance (in RGB) is largest, the first such combination in index
    /// order; empty for other datasets.
    static func contrastingColours(in dataset: any FactorDataset) -> [Int: Int] {
        let sizes = dataset.factorSizes
        let factors = sizes.indices.filter { dataset.valueColour(factor: $0, value: 0) != nil }
        guard factors.count >= 2 else { return [:] }
        let colours = factors.map { f in (0..<sizes[f]).map { dataset.valueColour(factor: f, value: $0) } }
        let combinations = factors.reduce(1) { $0 * sizes[$1] }
        guard combinations <= colourCombinations else { return [:] }
        var best: (values: [Int], distance: Float)? = nil
        for combination in 0..<combinations {
            // Mixed radix, the last colour factor fastest.
            var rest = combination
            var values = [Int](repeating: 0, count: factors.count)
            for k in factors.indices.reversed() { (rest, values[k]) = rest.quotientAndRemainder(dividingBy: sizes[factors[k]]) }
            var smallest = Float.infinity
            for a in factors.indices {
                for b in (a + 1)..<factors.count {
                    guard let p = colours[a][values[a]], let q = colours[b][values[b]] else { smallest = -1; continue }
                    let (dr, dg, db) = (p.r - q.r, p.g - q.g, p.b - q.b)
                    smallest = min(smallest, (dr * dr + dg * dg + db * db).squareRoot())
                }
            }
            if smallest > (best?.distance ?? -1) { best = (values, smallest) }
        }
        guard let best else { return [:] }
        return Dictionary(uniqueKeysWithValues: zip(factors, best.values))
    }

    /// For each factor tuple, the smallest over factors of how much its image changes (mean
    /// absolute difference over pixels and channels) when that factor alone takes one of
    /// `alternatives` other values spread over its range; nil for a tuple the dataset lacks.
    static func visibility(of tuples: [[Int]], in dataset: any FactorDataset) throws -> [Double?] {
        let sizes = dataset.factorSizes
        // One batch: each tuple's image, then its variants factor by factor.
        var indices: [Int] = []
        var layout: [(base: Int, variants: [[Int]])?] = []
        for tuple in tuples {
            guard let base = dataset.existingIndex(of: tuple) else { layout.append(nil); continue }
            let baseSlot = indices.count
            indices.append(base)
            var variants: [[Int]] = []
            for f in sizes.indices {
                let steps = Set((1...alternatives).map { k in k * sizes[f] / (alternatives + 1) }.filter { $0 > 0 })
                var slots: [Int] = []
                for step in steps.sorted() {
                    var t = tuple
                    t[f] = (tuple[f] + step) % sizes[f]
                    if let index = dataset.existingIndex(of: t) { slots.append(indices.count); indices.append(index) }
                }
                variants.append(slots)
            }
            layout.append((baseSlot, variants))
        }
        guard !indices.isEmpty else { return tuples.map { _ in nil } }
        let images = try dataset.images(at: indices)
        let size = images.count / indices.count
        func change(_ a: Int, _ b: Int) -> Double {
            images.data.withUnsafeBufferPointer { p in
                var sum: Float = 0
                for i in 0..<size { sum += abs(p[a * size + i] - p[b * size + i]) }
                return Double(sum) / Double(size)
            }
        }
        return layout.map { entry in
            guard let entry else { return nil }
            let changes = entry.variants.filter { !$0.isEmpty }.map { slots in
                slots.map { change(entry.base, $0) }.reduce(0, +) / Double(slots.count)
            }
            return changes.min()
        }
    }
}
