/* daemon.h - live operation: background start with a pid file, and the
 * drop of privileges once the queues are open (libcap-ng).
 *
 *   medids -D --pidfile P -q 0
 *     parent: fork -> waits for the child's "ready" (or its error) on a
 *             pipe -> exits 0 (ready) or 1
 *     child:  setsid, stdin/stdout to /dev/null -> opens queues, writes
 *             the pid file, drops privileges -> md_daemon_ready
 */
#ifndef MD_DAEMON_H
#define MD_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

/* Fork into the background. Returns 0 in the child; the parent never
 * returns (it exits with the status the child reports, 1 if it dies
 * first). Returns MD_E_IO when fork or pipe failed. */
int md_daemon_start(void);
/* In a daemon child: report `ok` to the waiting parent (no-op otherwise);
 * once ok, stderr goes to /dev/null too. */
void md_daemon_ready(bool ok);

/* Write our pid to path (created 0644). Refuses when the file names a
 * running process. Returns 0 or MD_E_IO with err set. */
int md_pidfile_write(const char *path, char *err, size_t errlen);
/* Remove path if it still holds our pid. */
void md_pidfile_remove(const char *path);

/* Switch to user/group (either may be NULL: keep; group defaults to the
 * user's) keeping only CAP_NET_ADMIN, with supplementary groups and the
 * bounding set cleared. The log directory log_dir (may be NULL) and the
 * files in it are given to that user first, so that log files can be
 * reopened on SIGHUP (rotation) and new ones created. Call before any
 * thread starts (capabilities are per thread). Returns 0 or MD_E_IO with
 * err set. */
int md_drop_privileges(const char *user, const char *group, const char *log_dir,
		       char *err, size_t errlen);

#endif
