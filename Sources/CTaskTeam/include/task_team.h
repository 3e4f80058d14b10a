// A team of helper threads that stay awake (spinning) for a short while after each job, so the
// many short parallel steps of a batch-1 decode (each 50–500 µs) do not each pay for waking a
// parked thread. See Parallel.swift.
#ifndef QLX_TASK_TEAM_H
#define QLX_TASK_TEAM_H

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*qlx_task_body)(void *context, long index);

/// Runs body(context, i) for every i in 0..<count on the calling thread and up to `helpers`
/// helper threads (started on first use, never more than 15), the threads taking indices in
/// turn. Returns 1 when all have run, or 0 without running any when the team is busy with
/// another caller's job (the caller then runs them some other way).
int qlx_task_team_run(long count, int helpers, qlx_task_body body, void *context);

/// Marks the calling thread as running one share of a job split by its caller (a shard of a
/// training batch), so its own parallel loops run inline: nesting them would only queue
/// them behind the other shares. Scopes nest; each enter needs its leave.
void qlx_task_team_enter_serial(void);
void qlx_task_team_leave_serial(void);
/// 1 inside a serial scope on this thread, else 0.
int qlx_task_team_is_serial(void);

#ifdef __cplusplus
}
#endif
#endif
