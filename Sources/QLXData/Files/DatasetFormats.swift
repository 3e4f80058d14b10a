extension DatasetFile {
    /// The containers dataset files come in, told apart by their first bytes (never by the
    /// file's name). Messages and help texts list them from here.
    public enum Container: CaseIterable, Sendable {
        case zip, hdf5, npy

        /// The name users know files of this container by.
        public var suffix: String {
            switch self {
            case .zip: return ".npz"
            case .hdf5: return ".h5"
            case .npy: return ".npy"
            }
        }

        /// The container's own name, where it differs from what the suffix says.
        var kind: String? {
            switch self {
            case .zip: return "zip"
            case .hdf5: return "HDF5"
            case .npy: return nil
            }
        }

        func matches(_ head: [UInt8]) -> Bool {
            switch self {
            case .zip: return head.starts(with: [0x50, 0x4b, 0x03, 0x04]) || head.starts(with: [0x50, 0x4b, 0x05, 0x06])
            case .hdf5: return head == [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]
            case .npy: return head.starts(with: NpyHeader.magic)
            }
        }

        /// ".npz, .h5, .npy"
        public static var suffixList: String { allCases.map(\.suffix).joined(separator: ", ") }
        /// "an .npz (zip), .h5 (HDF5) or .npy dataset file"
        static var expectation: String {
            let names = allCases.map { container in container.suffix + (container.kind.map { " (\($0))" } ?? "") }
            return "an \(names.dropLast().joined(separator: ", ")) or \(names.last!) dataset file"
        }
    }

    /// The layouts read inside those containers (`open` picks one by the members present),
    /// as `--data`'s help lists them.
    public static let layouts: [(name: String, container: Container)] = [
        ("dSprites", .zip), ("Shapes3D", .hdf5), ("MPI3D", .zip), ("images + classes", .zip),
        ("images + classes", .npy),
    ]

    /// "dSprites .npz, Shapes3D .h5, …"
    public static var layoutList: String { layouts.map { "\($0.name) \($0.container.suffix)" }.joined(separator: ", ") }
}
