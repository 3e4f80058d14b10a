// Read-only file mappings that survive their file being cut short. A page of a mapping whose
// file shrank below it raises SIGBUS when touched (`np.save` over a training set truncates it
// first), which would end the process with nothing saved. The handler installed here swaps a
// zero page in at the faulting address of a registered mapping and counts the fault, so the
// read completes (with zeros) and the reader, checking the count, stops cleanly instead.
// Faults outside registered mappings go to the handler that was there before (the Swift
// runtime's crash report, or the default).
#ifndef QLX_MAPPED_GUARD_H
#define QLX_MAPPED_GUARD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Guards [base, base + length); returns a slot for the calls below, or -1 when all slots are
/// taken (the mapping is then unguarded, as before).
int qlx_mapped_guard_register(const void *base, size_t length);

/// Stops guarding the mapping of `slot` (before it is unmapped).
void qlx_mapped_guard_unregister(int slot);

/// Pages of the mapping of `slot` replaced by zeros since it was registered.
long qlx_mapped_guard_faults(int slot);

#ifdef __cplusplus
}
#endif
#endif
