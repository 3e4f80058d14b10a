import Foundation

// libFuzzer harness of the `npz` and `hdf5` targets: a dataset file as `qlx --data FILE` opens
// it (DatasetFile.open: the format sniffed from the bytes, .npz members decompressed into the
// cache and memory-mapped, HDF5 metadata and labels read through libhdf5), then a few images
// and factor tuples read back. Built by scripts/fuzz from QLXData's, QLXCore's and QLXIO's own
// sources; any crash is a bug.

private let scratch = ProcessInfo.processInfo.environment["QLX_FUZZ_SCRATCH"] ?? NSTemporaryDirectory()
private let input = scratch + "/input"
private let cacheRoot = scratch + "/cache"

/// HDF5File's metadata server: the walker scripts/fuzz builds (Fuzz/hdf5walk.c, not
/// sanitized), spawned once and kept across inputs; spawned again after an input stops it.
nonisolated(unsafe) private var walker: HDF5MetadataServer?

private func spawnWalker(_ path: String) -> HDF5MetadataServer {
    var ends: [Int32] = [0, 0]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0 else { fatalError("no socket for \(path)") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_adddup2(&actions, ends[1], 0)
    // The walker keeps only its end: holding the fuzzer's too, it would never see it close.
    for end in ends { posix_spawn_file_actions_addclose(&actions, end) }
    var child: pid_t = 0
    let arguments = [strdup(path), nil]
    guard posix_spawn(&child, path, &actions, nil, arguments, environ) == 0 else { fatalError("cannot start \(path)") }
    arguments.forEach { free($0) }
    posix_spawn_file_actions_destroy(&actions)
    close(ends[1])
    return HDF5MetadataServer(socket: ends[0], process: child, ownsProcess: false)
}

private let useWalker: Void = {
    guard let path = ProcessInfo.processInfo.environment["QLX_FUZZ_HDF5_WALKER"] else { return }
    HDF5MetadataServer.start = {
        if let walker, walker.stopped == nil { return walker }
        walker = spawnWalker(path)
        return walker
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = useWalker
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
