import CHDF5
import Foundation

/// qlx's end of a process that makes libhdf5's metadata calls for it (CHDF5's
/// metadata_server.h says why none are made in qlx's own process). Requests go one at a time;
/// callers serialise them (HDF5File's lock).
final class HDF5MetadataServer: @unchecked Sendable {
    private let socket: Int32
    private let process: pid_t
    /// Whether this end stops the process when it goes (a forked server of one file); the fuzz
    /// harness shares one spawned server between inputs and keeps it.
    private let ownsProcess: Bool
    /// Why the server answers no more (it crashed, hung or could not be reached), once it does not.
    private(set) var stopped: String?

    init(socket: Int32, process: pid_t, ownsProcess: Bool) {
        self.socket = socket
        self.process = process
        self.ownsProcess = ownsProcess
    }

    /// How a server starts: forked from qlx. The fuzz harness swaps in a spawned walker
    /// (Fuzz/hdf5walk.c), since forking a sanitized fuzzer costs 30 ms an input.
    nonisolated(unsafe) static var start: () -> HDF5MetadataServer? = {
        var socket: Int32 = -1
        let process = qlx_h5_start_server(&socket)
        return process > 0 ? HDF5MetadataServer(socket: socket, process: process, ownsProcess: true) : nil
    }

    deinit {
        guard ownsProcess else { return }
        close(socket)
        // Not waiting for it to finish a request: it holds nothing but a read-only file.
        if stopped == nil { _ = reasonForStopping() }
    }

    /// Opens the file at `path` in the server (closing the one it had); false when libhdf5 cannot.
    func open(_ path: String) -> Bool? {
        var request = qlx_h5_request()
        request.operation = Int32(QLX_H5_OPEN)
        guard Self.setText(path, of: &request) else { return false }
        return ask(request).map { $0.status == QLX_H5_ANSWERED }
    }

    /// libhdf5's description of the object `name` (status QLX_H5_NO_SUCH_NAME, ...).
    func describe(_ name: String) -> qlx_h5_answer? {
        var request = qlx_h5_request()
        request.operation = Int32(QLX_H5_DESCRIBE)
        guard Self.setText(name, of: &request) else { return Self.failure }
        return ask(request)
    }

    /// The stored (still filtered) bytes of the chunk of dataset `name` starting at `origin`:
    /// the answer (status, written, size, filter mask) and the bytes when they follow it.
    func readChunk(of name: String, at origin: [Int], sizeLimit: Int) -> (answer: qlx_h5_answer, bytes: [UInt8]?)? {
        var request = qlx_h5_request()
        request.operation = Int32(QLX_H5_READ_CHUNK)
        guard Self.setText(name, of: &request), (1...Int(QLX_H5_MAX_RANK)).contains(origin.count) else { return (Self.failure, nil) }
        request.rank = Int32(origin.count)
        withUnsafeMutableBytes(of: &request.coordinates) { raw in
            for (axis, value) in origin.enumerated() { raw.storeBytes(of: UInt64(value), toByteOffset: axis * 8, as: UInt64.self) }
        }
        guard let answer = ask(request) else { return nil }
        guard answer.bytes_follow != 0 else { return (answer, nil) }
        // The server sends no more than the file holds; anything else means it is confused.
        guard answer.size <= UInt64(sizeLimit) else { stopped = stop("a server that sent a chunk larger than the file"); return nil }
        var bytes = [UInt8](repeating: 0, count: Int(answer.size))
        guard bytes.withUnsafeMutableBytes({ qlx_h5_transfer(socket, $0.baseAddress, $0.count, 0) }) == 0 else {
            stopped = reasonForStopping()
            return nil
        }
        return (answer, bytes)
    }

    private static var failure: qlx_h5_answer {
        var answer = qlx_h5_answer()
        answer.status = Int32(QLX_H5_FAILED)
        return answer
    }

    /// Copies `text` into the request, NUL-ended; false when it does not fit.
    private static func setText(_ text: String, of request: inout qlx_h5_request) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count < Int(QLX_H5_MAX_TEXT), !bytes.contains(0) else { return false }
        withUnsafeMutableBytes(of: &request.text) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return true
    }

    /// One request and its answer; nil once the server has stopped (`stopped` says why).
    private func ask(_ request: qlx_h5_request) -> qlx_h5_answer? {
        guard stopped == nil else { return nil }
        var request = request, answer = qlx_h5_answer()
        if qlx_h5_transfer(socket, &request, MemoryLayout<qlx_h5_request>.size, 1) == 0,
           qlx_h5_transfer(socket, &answer, MemoryLayout<qlx_h5_answer>.size, 0) == 0 {
            return answer
        }
        stopped = reasonForStopping()
        return nil
    }

    /// Ends a server that cannot be trusted any more, giving `reason`.
    private func stop(_ reason: String) -> String {
        _ = reasonForStopping()
        return reason
    }

    /// Ends the server (if its end is not closed already), waits for it, and says how it ended.
    private func reasonForStopping() -> String {
        kill(process, SIGKILL)   // in case it lives on with its end closed (it should not)
        var status: Int32 = 0
        while waitpid(process, &status, 0) < 0 {
            guard errno == EINTR else { return "a file libhdf5's reader stopped on (it could not be waited for)" }
        }
        let signal = status & 0x7f
        switch signal {
        case 0: return "a file libhdf5's reader stopped on (exit status \((status >> 8) & 0xff))"
        case SIGALRM: return "a file libhdf5 was still reading after \(QLX_H5_SECONDS) s (corrupt or crafted?)"
        case SIGKILL: return "a file libhdf5's reader stopped on (killed)"
        default: return "a file that stops libhdf5 with signal \(signal) (corrupt or crafted?)"
        }
    }
}
