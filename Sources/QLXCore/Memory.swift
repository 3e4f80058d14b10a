#if canImport(Glibc)
import Glibc
#endif

/// Allocator tuning for the networks' large, short-lived buffers (im2col columns and
/// activations of tens of MB, allocated and freed every step). By default glibc serves such
/// blocks with fresh mmaps and unmaps them on free, so every training step pays for page
/// faults and zeroing of the same memory again (about 15% of a step in profiles). Serving
/// them from the heap and keeping freed memory lets later steps reuse it.
#if os(Linux)
/// glibc's mallopt(3) (declared in malloc.h, which the Glibc module does not export).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

public enum Memory {
    private static let configured: Bool = {
        #if os(Linux)
        _ = glibcMallopt(-4 /* M_MMAP_MAX */, 0)
        _ = glibcMallopt(-1 /* M_TRIM_THRESHOLD */, Int32.max)
        #endif
        return true
    }()

    /// Applies the tuning once per process (idempotent). Called when a model is created.
    public static func retainFreedMemory() {
        _ = configured
    }
}
