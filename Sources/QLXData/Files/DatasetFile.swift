import Foundation
import QLXIO

/// Opens a dataset file, choosing the container from its first bytes (`Container`, not the
/// extension) and the layout from what it holds (`layouts` lists them for help texts):
/// - dSprites `.npz`: `imgs` (N×64×64 of 0/1) and `latents_classes` (N×6; column 0, the
///   constant colour, is dropped); the pickled `metadata` member is never read.
/// - MPI3D `.npz`: `images` only (N×64×64×3), factors from the index in the published grid.
/// - Shapes3D `.h5`: `images` (N×64×64×3) and `labels` (N×6 floats, label-encoded).
/// - generic `.npz`: images under `images`/`imgs`/`x` and classes under
///   `classes`/`factors`/`labels`/`y` (any numbers, label-encoded per column);
///   generic `.npy`: an image array, with its classes in a second `.npy` (`classesPath`).
public enum DatasetFile {
    public static let dspritesFactors = ["shape", "scale", "orientation", "posX", "posY"]
    public static let shapes3dFactors = ["floorHue", "wallHue", "objectHue", "scale", "shape", "orientation"]
    public static let shapes3dSizes = [10, 10, 10, 8, 4, 15]
    public static let mpi3dFactors = ["objectColour", "objectShape", "objectSize", "cameraHeight",
                                      "backgroundColour", "horizontalAxis", "verticalAxis"]
    public static let mpi3dSizes = [4, 4, 2, 3, 3, 40, 40]

    static let imageKeys = ["images", "imgs", "x"]
    static let classKeys = ["classes", "factors", "labels", "y"]

    /// Opens `path`. `factorNames` replaces the format's own names (or factor0, factor1, …);
    /// `progress` hears about decompressing `.npz` members into `cache` (first use only).
    public static func open(path: String, classesPath: String? = nil, factorNames: [String]? = nil,
                            cache: DatasetCache = .standard(), progress: ProgressHandler? = nil) throws -> FileDataset {
        switch try sniff(path) {
        case .zip: return try openNpz(path, factorNames: factorNames, cache: cache, progress: progress)
        case .hdf5: return try openShapes3D(path, factorNames: factorNames)
        case .npy: return try openNpyPair(path, classesPath: classesPath, factorNames: factorNames)
        }
    }

    static func sniff(_ path: String) throws -> Container {
        let handle: FileHandle
        do { handle = FileHandle(fileDescriptor: try InputFile.open(path), closeOnDealloc: true) } catch let error as FileReadError {
            throw DataError.fileUnreadable(path: path, reason: error.reason)
        }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
        if let container = Container.allCases.first(where: { $0.matches(head) }) { return container }
        throw DataError.datasetFileInvalid(path: path, expected: Container.expectation,
                                           found: head.isEmpty ? "an empty file" : "other content (first bytes \(head.map { String(format: "%02x", $0) }.joined()))")
    }

    static func openNpz(_ path: String, factorNames: [String]?, cache: DatasetCache, progress: ProgressHandler?) throws -> FileDataset {
        let archive = try NpzArchive(path: path)
        guard let imageKey = imageKeys.first(where: archive.contains) else {
            throw DataError.datasetFileInvalid(path: path, expected: "an image array named \(imageKeys.joined(separator: ", "))",
                                               found: archive.membersFound)
        }
        let images = try archive.array(imageKey, cache: cache, progress: progress)
        let name = URL(fileURLWithPath: path).lastPathComponent
        if imageKey == "imgs" && archive.contains("latents_classes") {
            // dSprites: images are 0/1 already; column 0 of the classes is the constant colour.
            let rows = try NpyImageRows(images, binary: true)
            let classes = try archive.array("latents_classes", cache: cache, progress: progress)
            let table = try storedTable(classes, rows: rows.count, dropFirstColumn: true, path: path)
            return try FileDataset(name: "dsprites", path: path, factorNames: factorNames ?? dspritesFactors, rows: rows, table: table)
        }
        let rows = try NpyImageRows(images)
        if let classKey = classKeys.first(where: archive.contains) {
            let table = try storedTable(try archive.array(classKey, cache: cache, progress: progress), rows: rows.count,
                                        dropFirstColumn: false, path: path)
            return try FileDataset(name: name, path: path, factorNames: factorNames ?? defaultNames(table.sizes.count),
                                   rows: rows, table: table)
        }
        let grid = FactorGrid(sizes: mpi3dSizes)
        guard rows.count == grid.count else {
            throw DataError.datasetFileInvalid(path: path, expected: "a classes array (\(classKeys.joined(separator: ", "))) or \(grid.count) images in the MPI3D grid",
                                               found: "\(rows.count) images and no classes")
        }
        return try FileDataset(name: "mpi3d", path: path, factorNames: factorNames ?? mpi3dFactors, rows: rows, table: .grid(grid))
    }

    static func openShapes3D(_ path: String, factorNames: [String]?) throws -> FileDataset {
        let file = try HDF5File(path: path, datasets: ["images", "labels"])
        let rows = try HDF5ImageRows(file: file, name: "images")
        let labelShape = try file.shape(of: "labels")
        guard labelShape.count == 2, labelShape[0] == rows.count else {
            throw DataError.datasetFileInvalid(path: path, expected: "labels of shape (\(rows.count), K)", found: "\(labelShape)")
        }
        // Read the last image now, so a file truncated after its header fails here, cleanly.
        try withUnsafeTemporaryAllocation(of: Float.self, capacity: rows.shape.channels * rows.shape.height * rows.shape.width) {
            try rows.image(rows.count - 1, into: $0.baseAddress!)
        }
        let columns = labelShape[1]
        try DataError.checkFits([rows.count, columns], bytesEach: 8, what: "labels of shape \(labelShape)", path: path)
        var labels = [Double](repeating: 0, count: rows.count * columns)
        let chunk = 50_000
        try labels.withUnsafeMutableBytes { raw in
            for start in stride(from: 0, to: rows.count, by: chunk) {
                try file.readRows("labels", start: start, count: min(chunk, rows.count - start), rowShape: [columns], asBytes: false,
                                  into: raw.baseAddress! + start * columns * 8)
            }
        }
        let table = try FactorTable.labelEncoded(labels, columns: columns, path: path)
        let names = factorNames ?? (columns == shapes3dFactors.count ? shapes3dFactors : defaultNames(columns))
        return try FileDataset(name: "shapes3d", path: path, factorNames: names, rows: rows, table: table)
    }

    static func openNpyPair(_ path: String, classesPath: String?, factorNames: [String]?) throws -> FileDataset {
        let rows = try NpyImageRows(try MappedNpy(path: path))
        guard let classesPath else {
            throw DataError.datasetFileInvalid(path: path, expected: "its factor classes in a second .npy (--data-classes FILE)", found: "none given")
        }
        let table = try storedTable(try MappedNpy(path: classesPath), rows: rows.count, dropFirstColumn: false, path: classesPath)
        return try FileDataset(name: URL(fileURLWithPath: path).lastPathComponent, path: path,
                               factorNames: factorNames ?? defaultNames(table.sizes.count), rows: rows, table: table)
    }

    /// N×K numbers (integers or floats) → label-encoded classes per column.
    static func storedTable(_ array: MappedNpy, rows: Int, dropFirstColumn: Bool, path: String) throws -> FactorTable {
        guard array.shape.count == 2, array.shape[1] > (dropFirstColumn ? 1 : 0) else {
            throw DataError.datasetFileInvalid(path: path, expected: "factor classes of shape (N, K)", found: "shape \(array.shape)")
        }
        guard array.shape[0] == rows else {
            throw DataError.datasetFileInvalid(path: path, expected: "\(rows) rows of factor classes (one per image)", found: "\(array.shape[0])")
        }
        let columns = array.shape[1], first = dropFirstColumn ? 1 : 0, kept = columns - first
        try DataError.checkFits([rows, kept], bytesEach: 8, what: "factor classes of shape \(array.shape)", path: path)
        var values = [Double](repeating: 0, count: rows * kept)
        for r in 0..<rows { for k in 0..<kept { values[r * kept + k] = array.double(at: r * columns + first + k) } }
        return try FactorTable.labelEncoded(values, columns: kept, path: path)
    }

    static func defaultNames(_ count: Int) -> [String] { (0..<count).map { "factor\($0)" } }
}
