/// The few fields of an HDF5 file's superblock that qlx checks before libhdf5 opens the file:
/// libhdf5 1.10 follows a damaged driver-information address into gigabytes of reads and
/// allocations (the hdf5 fuzz target: 4.2 GB and 16 s for a 2.6 KB file). Files h5py writes
/// have no driver information block, and their end-of-file address is the file's length.
struct HDF5Superblock {
    /// Checks the superblock of `file` (the whole file's bytes), found at offset 0, 512, 1024,
    /// 2048, ... as the format allows after a user block.
    static func check(_ file: UnsafeRawBufferPointer, path: String) throws {
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]
        var base = 0
        while base + 8 <= file.count && !zip(signature, file[base..<(base + 8)]).allSatisfy({ $0 == $1 }) {
            base = base == 0 ? 512 : base * 2
        }
        guard base + 8 <= file.count else { throw invalid(path, "an HDF5 signature", "none") }
        func byte(_ offset: Int) throws -> Int {
            guard base + offset < file.count else { throw invalid(path, "a complete superblock", "a file of \(file.count) bytes") }
            return Int(file[base + offset])
        }
        /// An address field of `size` bytes, nil when undefined (all bits set).
        func address(_ offset: Int, size: Int) throws -> UInt64? {
            var value: UInt64 = 0
            for i in stride(from: size - 1, through: 0, by: -1) { value = value << 8 | UInt64(try byte(offset + i)) }
            return value == (size == 8 ? UInt64.max : (1 << (8 * UInt64(size))) - 1) ? nil : value
        }
        let version = try byte(8)
        let offsets: Int, endOfFile: Int, driverInformation: Int?
        switch version {
        case 0, 1:
            offsets = try byte(13)
            let addresses = version == 0 ? 24 : 28
            endOfFile = addresses + 2 * offsets
            driverInformation = addresses + 3 * offsets
        case 2, 3:
            offsets = try byte(9)
            endOfFile = 12 + 2 * offsets
            driverInformation = nil
        default:
            throw invalid(path, "superblock version 0 to 3", "version \(version)")
        }
        guard [2, 4, 8].contains(offsets) else { throw invalid(path, "addresses of 2, 4 or 8 bytes", "\(offsets) bytes") }
        if let driverInformation, let at = try address(driverInformation, size: offsets) {
            throw invalid(path, "no driver information block (files h5py writes have none)", "one at offset \(at)")
        }
        if let end = try address(endOfFile, size: offsets), end > UInt64(file.count - base) {
            throw invalid(path, "an end-of-file address within its \(file.count) bytes", "\(end) (truncated or corrupt file?)")
        }
    }

    private static func invalid(_ path: String, _ expected: String, _ found: String) -> DataError {
        DataError.datasetFileInvalid(path: path, expected: expected, found: found)
    }
}
