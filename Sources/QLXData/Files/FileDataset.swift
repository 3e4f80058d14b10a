import Foundation
import QLXIO
import QLXCore

/// A dataset read from a published file (dSprites .npz, Shapes3D .h5, MPI3D .npz) or any
/// images + factor classes pair: random access by index without holding the file in memory.
/// `DatasetFile.open` picks the format from the file's content.
public struct FileDataset: FactorDataset {
    public let name: String
    public let path: String
    public let factorNames: [String]
    public let factorSizes: [Int]
    public let count: Int
    let rows: any ImageRows
    let table: FactorTable
    private let lookup: FactorLookup

    init(name: String, path: String, factorNames: [String], rows: any ImageRows, table: FactorTable) throws {
        let sizes = table.sizes
        guard factorNames.count == sizes.count else {
            throw DataError.datasetFileInvalid(path: path, expected: "\(sizes.count) factor names", found: "\(factorNames.count): \(factorNames.map { quoted($0) }.joined(separator: ", "))")
        }
        self.name = name
        self.path = path
        self.factorNames = factorNames
        self.factorSizes = sizes
        self.rows = rows
        self.table = table
        self.count = rows.count
        self.lookup = FactorLookup()
    }

    public var imageShape: ImageShape { rows.shape }
    public func factors(at index: Int) -> [Int] { table.factors(at: index) }

    /// The first image with these factors (a grid file: its grid position).
    public func existingIndex(of factors: [Int]) -> Int? {
        if case .grid(let grid) = table {
            guard factors.count == factorSizes.count, zip(factors, factorSizes).allSatisfy({ (0..<$1).contains($0) }) else { return nil }
            return grid.index(of: factors)
        }
        return lookup.index(of: factors, in: self)
    }

    public func index(of factors: [Int]) -> Int {
        if case .grid(let grid) = table { return grid.index(of: factors) }
        guard let index = lookup.index(of: factors, in: self) else {
            preconditionFailure("no image of \(name) has factors \(factors)")
        }
        return index
    }

    /// Images (N, C, H, W) in [0, 1], read from the file in the order of `indices` (through the
    /// procedural datasets' `drawImages`, so batches of 64 or more are read on all cores). A row
    /// that cannot be read (a file damaged after opening, or a corrupt chunk) throws its error.
    public func images(at indices: [Int]) throws -> Tensor {
        let rows = self.rows
        let failure = FirstError()
        let images = drawImages(count: indices.count, shape: rows.shape) { n, pixels in
            do {
                try rows.image(indices[n], into: pixels)
            } catch {
                failure.record(error)
            }
        }
        try failure.rethrow()
        return images
    }
}

/// The first error of work spread over threads, thrown once they are done.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var error: (any Error)?

    func record(_ error: any Error) { lock.withLock { if self.error == nil { self.error = error } } }
    func rethrow() throws { if let error = lock.withLock({ error }) { throw error } }
}

/// Factor tuple → first image index for stored tables, built on first use.
final class FactorLookup: @unchecked Sendable {
    private let lock = NSLock()
    private var table: [[Int]: Int]?

    func index(of factors: [Int], in dataset: FileDataset) -> Int? {
        lock.withLock {
            if table == nil {
                var built: [[Int]: Int] = [:]
                for i in stride(from: dataset.count - 1, through: 0, by: -1) { built[dataset.factors(at: i)] = i }
                table = built
            }
            return table![factors]
        }
    }
}
