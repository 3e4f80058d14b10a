import QLXCore

/// How an image array lays out one image: H×W (grey), H×W×C (channels last, as the published
/// files store them) or C×H×W.
public enum ImageLayout: Sendable, Equatable {
    case heightWidth, heightWidthChannels, channelsHeightWidth

    /// The layout and image shape of an array of shape `shape` (first dimension: images, at
    /// least one).
    static func infer(_ shape: [Int], path: String) throws -> (ImageLayout, ImageShape) {
        guard shape.first != 0 else {
            throw DataError.datasetFileInvalid(path: path, expected: "at least one image", found: "an array of shape \(shape)")
        }
        try DataError.checkFits(Array(shape.dropFirst()), bytesEach: 8, what: "one image of shape \(shape.dropFirst())", path: path)
        switch shape.count {
        case 3:
            return (.heightWidth, ImageShape(channels: 1, height: shape[1], width: shape[2]))
        case 4 where [1, 3].contains(shape[3]):
            return (.heightWidthChannels, ImageShape(channels: shape[3], height: shape[1], width: shape[2]))
        case 4 where [1, 3].contains(shape[1]):
            return (.channelsHeightWidth, ImageShape(channels: shape[1], height: shape[2], width: shape[3]))
        default:
            throw DataError.datasetFileInvalid(path: path, expected: "images N×H×W, N×H×W×C or N×C×H×W with C 1 or 3",
                                               found: "an array of shape \(shape)")
        }
    }

    /// Rearranges one image from this layout into planar C×H×W.
    func toPlanar(_ source: UnsafePointer<Float>, _ shape: ImageShape, into out: UnsafeMutablePointer<Float>) {
        let plane = shape.height * shape.width, channels = shape.channels
        switch self {
        case .heightWidth, .channelsHeightWidth:
            out.update(from: source, count: channels * plane)
        case .heightWidthChannels:
            for p in 0..<plane { for c in 0..<channels { out[c * plane + p] = source[p * channels + c] } }
        }
    }
}

/// Images stored one after another in a file, read by index.
protocol ImageRows: Sendable {
    var count: Int { get }
    var shape: ImageShape { get }
    /// Image `index` as planar C×H×W floats in [0, 1].
    func image(_ index: Int, into out: UnsafeMutablePointer<Float>) throws
}

/// Images in a memory-mapped .npy array: uint8 divided by `scale`; floats clamped to [0, 1]
/// with NaN as 0, here where they come in, so that no NaN or infinity from a file reaches the
/// model, the metrics or a pixel conversion.
struct NpyImageRows: ImageRows {
    let array: MappedNpy
    let layout: ImageLayout
    let shape: ImageShape
    let scale: Float

    init(_ array: MappedNpy, binary: Bool = false) throws {
        guard array.isUInt8 || array.isFloat || array.descriptor.hasSuffix("b1") else {
            throw DataError.datasetFileInvalid(path: array.path, expected: "uint8 or float images", found: "dtype \(array.descriptor)")
        }
        guard !array.fortranOrder else {
            throw DataError.datasetFileInvalid(path: array.path, expected: "images in C order", found: "a Fortran-ordered array (save it with np.ascontiguousarray)")
        }
        self.array = array
        (layout, shape) = try ImageLayout.infer(array.shape, path: array.path)
        scale = array.isUInt8 && !binary ? 255 : 1
    }

    var count: Int { array.shape[0] }

    func image(_ index: Int, into out: UnsafeMutablePointer<Float>) throws {
        let size = shape.channels * shape.height * shape.width
        withUnsafeTemporaryAllocation(of: Float.self, capacity: size) { buffer in
            array.floats(from: index * size, count: size, into: buffer.baseAddress!)
            if scale != 1 { for i in 0..<size { buffer[i] /= scale } }
            if array.isFloat { for i in 0..<size { buffer[i] = buffer[i] > 0 ? min(buffer[i], 1) : 0 } }
            layout.toPlanar(buffer.baseAddress!, shape, into: out)
        }
    }
}

/// Images in an HDF5 dataset: memory-mapped when the dataset is one plain block in the file
/// (no library call per image), else one hyperslab read per image.
struct HDF5ImageRows: ImageRows {
    let file: HDF5File
    let name: String
    let layout: ImageLayout
    let shape: ImageShape
    let count: Int
    private let rowShape: [Int]
    /// The images' bytes in the file's map (which `file` keeps), for contiguous unfiltered
    /// datasets; read-only, so safe to share across threads.
    nonisolated(unsafe) private let mapped: UnsafeRawBufferPointer?

    init(file: HDF5File, name: String) throws {
        let dims = try file.shape(of: name)
        guard try file.storesBytes(name) else {
            throw DataError.datasetFileInvalid(path: file.path, expected: "uint8 images in '\(name)'", found: "another element type")
        }
        self.file = file
        self.name = name
        (layout, shape) = try ImageLayout.infer(dims, path: file.path)
        count = dims[0]
        rowShape = Array(dims.dropFirst())
        mapped = try file.contiguousBytes(of: name)
    }

    func image(_ index: Int, into out: UnsafeMutablePointer<Float>) throws {
        let size = shape.channels * shape.height * shape.width
        if let mapped {
            let bytes = mapped.baseAddress!.advanced(by: index * size).assumingMemoryBound(to: UInt8.self)
            convert(bytes, size: size, into: out)
            return
        }
        var bytes = [UInt8](repeating: 0, count: size)
        try bytes.withUnsafeMutableBytes { raw in
            try file.readRows(name, start: index, count: 1, rowShape: rowShape, asBytes: true, into: raw.baseAddress!)
        }
        bytes.withUnsafeBufferPointer { convert($0.baseAddress!, size: size, into: out) }
    }

    private func convert(_ bytes: UnsafePointer<UInt8>, size: Int, into out: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: size) { buffer in
            for i in 0..<size { buffer[i] = Float(bytes[i]) / 255 }
            layout.toPlanar(buffer.baseAddress!, shape, into: out)
        }
    }
}
