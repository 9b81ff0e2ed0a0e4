/* Fork guard. The Go runtime inside the library does not survive fork()
 * without exec: the child has only the forking thread, and any lock another
 * thread held at the fork (Go's scheduler and heap locks, the handle
 * registry's mutex) stays locked in it forever, so a call that enters Go
 * can hang (seen: 39 of 40 children hung when other threads were calling
 * into the library as the parent forked). Handles the child inherited also
 * share their rings with the parent. So a child forked from a process that
 * has loaded the library gets -ECHILD from every function, without touching
 * Go, the registry or the rings; exec clears the state. Only xdpkit_version,
 * xdpkit_strerror, xdpkit_last_error and xdpkit_errmsg keep working, and
 * the inline ring helpers cannot be guarded at all. */
#include <errno.h>
#include <pthread.h>
#include "internal.h"

volatile int xdpkit__forked;

static void fork_child(void)
{
	xdpkit__forked = 1;
}

__attribute__((constructor)) static void fork_guard_init(void)
{
	pthread_atfork(NULL, NULL, fork_child);
}

int xdpkit__forked_fail(const char *fn)
{
	return xdpkit__fail(ECHILD, "%s: called in a process forked (without exec) from one that had loaded libxdpkit: "
			    "the Go runtime does not survive fork; use the library in the parent, or exec (spawn) a new process",
			    fn);
}
