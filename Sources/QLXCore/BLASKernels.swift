import CBLAS
import Foundation

/// Which of OpenBLAS's CPU-specific kernel families this process uses.
///
/// Debian's OpenBLAS is built for every x86 CPU and picks its kernels when the library
/// loads, from the CPU model, unless the OPENBLAS_CORETYPE environment variable names a
/// family. Some machines set it deliberately (for results that do not depend on which host
/// a job lands on), which can leave AVX-512 unused: on this project's Xeon, "Haswell"
/// (AVX2) kernels run sgemm at about 60% of the speed of the "Cooperlake" kernels OpenBLAS
/// would choose itself. qlx respects the variable; `qlx bench` says which kernels ran.
public enum BLASKernels {
    /// The kernel family OpenBLAS chose, e.g. "Haswell" or "Cooperlake".
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// "Cooperlake kernels", or "Haswell kernels, forced by OPENBLAS_CORETYPE=Haswell".
    public static func describe(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        guard let forced = environment["OPENBLAS_CORETYPE"], !forced.isEmpty else { return "\(coreName) kernels" }
        return "\(coreName) kernels, forced by OPENBLAS_CORETYPE=\(forced)"
    }
}
