#include "task_team.h"
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

enum { MAX_HELPERS = 15 };
// How long an idle helper keeps checking for the next job before it sleeps: longer than the
// serial gaps between a decode's parallel steps, short enough not to hold a core that other
// processes want.
static const long SPIN_NANOSECONDS = 200 * 1000;

// Jobs are numbered; `ticket` holds the current job's number (high 32 bits) and its next
// unclaimed index (low 32 bits), so an index is claimed by one compare-and-swap that fails
// if a newer job has been published since the claimer looked. Job g's description lives in
// slots[g & 1]: the next job can only be written once this one has finished, and a claimer
// that read a newer description than its ticket's fails its swap.
struct job {
    _Atomic(qlx_task_body) body;
    _Atomic(void *) context;
    _Atomic long count;
    _Atomic int helpers;
};
static struct job slots[2];
static _Atomic unsigned long ticket = 0;
static _Atomic long finished = 0;

static pthread_mutex_t caller_lock = PTHREAD_MUTEX_INITIALIZER;   // one job at a time
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int started = 0;   // helper threads (under caller_lock)

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static unsigned long job_of(unsigned long t) { return t >> 32; }

// Claims and runs indices of job `number` until none are left (or a newer job replaced it).
static void work(unsigned long number, long rank) {
    for (;;) {
        unsigned long t = atomic_load_explicit(&ticket, memory_order_acquire);
        if (job_of(t) != number) return;
        struct job *job = &slots[number & 1];
        long index = (long)(t & 0xffffffffUL);
        long count = atomic_load_explicit(&job->count, memory_order_relaxed);
        if (index >= count || rank > atomic_load_explicit(&job->helpers, memory_order_relaxed)) return;
        qlx_task_body body = atomic_load_explicit(&job->body, memory_order_relaxed);
        void *context = atomic_load_explicit(&job->context, memory_order_relaxed);
        if (!atomic_compare_exchange_weak_explicit(&ticket, &t, t + 1, memory_order_acq_rel, memory_order_relaxed))
            continue;
        body(context, index);
        atomic_fetch_add_explicit(&finished, 1, memory_order_release);
    }
}

static void *helper_main(void *argument) {
    long rank = (long)argument + 1;   // the caller is rank 0
    unsigned long seen = job_of(atomic_load_explicit(&ticket, memory_order_acquire));
    for (;;) {
        long spin_until = now_ns() + SPIN_NANOSECONDS;
        unsigned long current;
        int polls = 0;
        while ((current = job_of(atomic_load_explicit(&ticket, memory_order_acquire))) == seen) {
            CPU_RELAX();
            if (++polls % 64 == 0 && now_ns() > spin_until) {
                pthread_mutex_lock(&sleep_lock);
                while ((current = job_of(atomic_load_explicit(&ticket, memory_order_acquire))) == seen)
                    pthread_cond_wait(&wake, &sleep_lock);
                pthread_mutex_unlock(&sleep_lock);
                break;
            }
        }
        seen = current;
        work(current, rank);
    }
    return 0;
}

int qlx_task_team_run(long count, int helpers, qlx_task_body body, void *context) {
    if (count <= 0) return 1;
    if (count > 0x7fffffffL || pthread_mutex_trylock(&caller_lock) != 0) return 0;
    if (helpers > MAX_HELPERS) helpers = MAX_HELPERS;
    while (started < helpers) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attributes, helper_main, (void *)(long)started);
        pthread_attr_destroy(&attributes);
        if (failed) break;
        started++;
    }
    if (helpers > started) helpers = started;
    unsigned long number = job_of(atomic_load_explicit(&ticket, memory_order_relaxed)) + 1;
    struct job *job = &slots[number & 1];
    atomic_store_explicit(&job->body, body, memory_order_relaxed);
    atomic_store_explicit(&job->context, context, memory_order_relaxed);
    atomic_store_explicit(&job->count, count, memory_order_relaxed);
    atomic_store_explicit(&job->helpers, helpers, memory_order_relaxed);
    atomic_store_explicit(&finished, 0, memory_order_relaxed);
    pthread_mutex_lock(&sleep_lock);
    atomic_store_explicit(&ticket, number << 32, memory_order_release);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&sleep_lock);
    work(number, 0);
    while (atomic_load_explicit(&finished, memory_order_acquire) < count) CPU_RELAX();
    pthread_mutex_unlock(&caller_lock);
    return 1;
}

// Per-thread count of open serial scopes (see Parallel.serially).
static _Thread_local long serial_depth = 0;

void qlx_task_team_enter_serial(void) { serial_depth++; }
void qlx_task_team_leave_serial(void) { serial_depth--; }
int qlx_task_team_is_serial(void) { return serial_depth > 0; }
