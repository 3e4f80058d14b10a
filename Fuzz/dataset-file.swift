import Foundation

// libFuzzer harness of the `npz` and `hdf5` targets: a dataset file as `qlx --data FILE` opens
// it (DatasetFile.open: the format sniffed from the bytes, .npz members decompressed into the
// cache and memory-mapped, HDF5 metadata and labels read through libhdf5), then a few images
// and factor tuples read back. Built by scripts/fuzz from QLXData's, QLXCore's and QLXIO's own
// sources; any crash is a bug.

private let scratch = ProcessInfo.processInfo.environment["QLX_FUZZ_SCRATCH"] ?? NSTemporaryDirectory()
private let input = scratch + "/input"
private let cacheRoot = scratch + "/cache"

/// HDF5File's metadata check through the walker server scripts/fuzz builds (Fuzz/hdf5walk.c,
/// not sanitized): one request line per file, one answer line back.
private let spawnWalker: Void = {
    guard let walker = ProcessInfo.processInfo.environment["QLX_FUZZ_HDF5_WALKER"] else { return }
    var requests: [Int32] = [0, 0], answers: [Int32] = [0, 0]
    guard pipe(&requests) == 0, pipe(&answers) == 0 else { fatalError("no pipes for \(walker)") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_adddup2(&actions, requests[0], 0)
    posix_spawn_file_actions_adddup2(&actions, answers[1], 1)
    // The walker keeps only its ends: holding the request pipe's write end itself, it would
    // never see the fuzzer's end close.
    for end in requests + answers { posix_spawn_file_actions_addclose(&actions, end) }
    var child: pid_t = 0
    let arguments = [strdup(walker), nil]
    guard posix_spawn(&child, walker, &actions, nil, arguments, environ) == 0 else { fatalError("cannot start \(walker)") }
    arguments.forEach { free($0) }
    posix_spawn_file_actions_destroy(&actions)
    close(requests[0])
    close(answers[1])
    nonisolated(unsafe) let toWalker = fdopen(requests[1], "w"), fromWalker = fdopen(answers[0], "r")
    HDF5File.metadataCheck = { path, datasets in
        fputs(([path] + datasets).joined(separator: "\t") + "\n", toWalker)
        fflush(toWalker)
        var line = [CChar](repeating: 0, count: 64)
        // libFuzzer's timeout timer interrupts the wait now and then (EINTR): read on.
        while fgets(&line, 64, fromWalker) == nil {
            guard errno == EINTR else { fatalError("the walker stopped") }
            clearerr(fromWalker)
        }
        return Int32(String(cString: line).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = spawnWalker
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
