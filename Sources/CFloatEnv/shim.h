// Reads and writes the calling thread's floating-point control register, which Swift
// cannot reach: MXCSR on x86-64, FPCR on AArch64. Header-only; no library to link.
#include <stdint.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

static inline uint64_t qlx_fp_control_get(void) {
#if defined(__x86_64__) || defined(__i386__)
    return (uint64_t)_mm_getcsr();
#elif defined(__aarch64__)
    uint64_t value;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(value));
    return value;
#else
    return 0;
#endif
}

static inline void qlx_fp_control_set(uint64_t value) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr((unsigned int)value);
#elif defined(__aarch64__)
    __asm__ __volatile__("msr fpcr, %0" : : "r"(value));
#else
    (void)value;
#endif
}

// The bits that make subnormal results zero and read subnormal inputs as zero:
// MXCSR FTZ (bit 15) and DAZ (bit 6); FPCR FZ (bit 24). 0 where unknown.
static inline uint64_t qlx_fp_flush_subnormal_bits(void) {
#if defined(__x86_64__) || defined(__i386__)
    return 0x8040u;
#elif defined(__aarch64__)
    return (uint64_t)1 << 24;
#else
    return 0;
#endif
}
