import Foundation

// libFuzzer harness of the `npz` and `hdf5` targets: a dataset file as `qlx --data FILE` opens
// it (DatasetFile.open: the format sniffed from the bytes, .npz members decompressed into the
// cache and memory-mapped, HDF5 metadata and labels read through libhdf5), then a few images
// and factor tuples read back. Built by scripts/fuzz from QLXData's, QLXCore's and QLXIO's own
// sources; any crash is a bug.

private let scratch = ProcessInfo.processInfo.environment["QLX_FUZZ_SCRATCH"] ?? NSTemporaryDirectory()
private let input = scratch + "/input"
private let cacheRoot = scratch + "/cache"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // A fresh cache each time: a member cached from an earlier input must not stand in.
    try? FileManager.default.removeItem(atPath: cacheRoot)
    guard FileManager.default.createFile(atPath: input, contents: Data(bytes: data, count: size)) else {
        fatalError("cannot write \(input)")
    }
    guard let dataset = try? DatasetFile.open(path: input, cache: DatasetCache(root: cacheRoot)) else { return 0 }
    let count = dataset.count
    guard count > 0 else { return 0 }
    let picks = Array(Set([0, count / 2, count - 1])).sorted()
    _ = try? dataset.images(at: picks)   // a damaged row throws; anything else is a bug
    for index in picks {
        let factors = dataset.factors(at: index)
        precondition(dataset.factors(at: dataset.index(of: factors)) == factors, "index(of:) disagrees with factors(at:)")
    }
    return 0
}
