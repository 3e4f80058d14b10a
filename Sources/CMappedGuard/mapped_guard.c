#include "mapped_guard.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { SLOTS = 64 };

// A slot is live while `start` is non-zero; the handler reads the slots without a lock.
static _Atomic uintptr_t starts[SLOTS], ends[SLOTS];
static atomic_long faults[SLOTS];
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t installed = PTHREAD_ONCE_INIT;
static struct sigaction previous;
static uintptr_t page_size;

static void on_bus_error(int signal, siginfo_t *info, void *context) {
    (void)signal;
    (void)context;
    uintptr_t address = (uintptr_t)info->si_addr;
    for (int slot = 0; slot < SLOTS; slot++) {
        uintptr_t start = atomic_load(&starts[slot]), end = atomic_load(&ends[slot]);
        if (start == 0 || address < start || address >= end) continue;
        void *page = (void *)(address & ~(page_size - 1));
        // mmap is a plain system call: safe here, though POSIX does not list it.
        if (mmap(page, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
            atomic_fetch_add(&faults[slot], 1);
            return;
        }
    }
    // Not a guarded mapping: the faulting instruction runs again under the previous handler.
    sigaction(SIGBUS, &previous, NULL);
}

static void install(void) {
    page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_bus_error;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &previous);
}

int qlx_mapped_guard_register(const void *base, size_t length) {
    pthread_once(&installed, install);
    pthread_mutex_lock(&slots_lock);
    int found = -1;
    for (int slot = 0; slot < SLOTS && found < 0; slot++) {
        if (atomic_load(&starts[slot]) != 0) continue;
        atomic_store(&faults[slot], 0);
        atomic_store(&ends[slot], (uintptr_t)base + length);
        atomic_store(&starts[slot], (uintptr_t)base);
        found = slot;
    }
    pthread_mutex_unlock(&slots_lock);
    return found;
}

void qlx_mapped_guard_unregister(int slot) {
    if (slot < 0 || slot >= SLOTS) return;
    pthread_mutex_lock(&slots_lock);
    atomic_store(&starts[slot], 0);
    atomic_store(&ends[slot], 0);
    pthread_mutex_unlock(&slots_lock);
}

long qlx_mapped_guard_faults(int slot) {
    return slot < 0 || slot >= SLOTS ? 0 : atomic_load(&faults[slot]);
}
