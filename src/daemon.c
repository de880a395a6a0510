/* daemon.c - background start, pid file, privilege drop (daemon.h). */
#include "daemon.h"

#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "md-parser.h"

static int ready_fd = -1;

int md_daemon_start(void)
{
	int p[2];
	if (pipe(p))
		return MD_E_IO;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return MD_E_IO;
	}
	if (pid > 0) {
		char c = 0;
		close(p[1]);
		ssize_t r;
		do
			r = read(p[0], &c, 1);
		while (r < 0 && errno == EINTR);
		_exit(r == 1 && c == 'o' ? 0 : 1);
	}
	close(p[0]);
	ready_fd = p[1];
	setsid(); /* the working directory stays: -S paths are relative */
	int nul = open("/dev/null", O_RDWR);
	if (nul >= 0) {
		dup2(nul, STDIN_FILENO);
		dup2(nul, STDOUT_FILENO);
		if (nul > STDERR_FILENO)
			close(nul);
	}
	return 0;
}

void md_daemon_ready(bool ok)
{
	if (ready_fd < 0)
		return;
	char c = ok ? 'o' : 'e';
	if (write(ready_fd, &c, 1) != 1) {
		/* the parent is gone: nobody to tell */
	}
	close(ready_fd);
	ready_fd = -1;
	int nul = ok ? open("/dev/null", O_RDWR) : -1;
	if (nul >= 0) {
		dup2(nul, STDERR_FILENO);
		close(nul);
	}
}

int md_pidfile_write(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	if (fp) {
		long old = 0;
		int n = fscanf(fp, "%ld", &old);
		fclose(fp);
		if (n == 1 && old > 0 && old != (long)getpid() &&
		    kill((pid_t)old, 0) == 0) {
			snprintf(err, errlen,
				 "pid file %s: medids already runs as pid %ld",
				 path, old);
			return MD_E_IO;
		}
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (fd < 0 || write(fd, buf, (size_t)len) != len) {
		snprintf(err, errlen, "pid file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return MD_E_IO;
	}
	close(fd);
	return 0;
}

void md_pidfile_remove(const char *path)
{
	FILE *fp = path ? fopen(path, "r") : NULL;
	long pid = 0;
	if (!fp)
		return;
	int n = fscanf(fp, "%ld", &pid);
	fclose(fp);
	if (n == 1 && pid == (long)getpid())
		unlink(path);
}

static int lookup_ids(const char *user, const char *group, uid_t *uid,
		      gid_t *gid, char *err, size_t errlen)
{
	*uid = getuid();
	*gid = getgid();
	if (user) {
		struct passwd *pw = getpwnam(user);
		if (!pw) {
			snprintf(err, errlen, "run-as user '%s' not found",
				 user);
			return MD_E_IO;
		}
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	if (group) {
		struct group *gr = getgrnam(group);
		if (!gr) {
			snprintf(err, errlen, "run-as group '%s' not found",
				 group);
			return MD_E_IO;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

/* Give dir and the regular files directly in it to uid:gid. */
static int chown_logs(const char *dir, uid_t uid, gid_t gid, char *err,
		      size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d || chown(dir, uid, gid)) {
		snprintf(err, errlen, "log directory %s: %s", dir,
			 strerror(errno));
		if (d)
			closedir(d);
		return MD_E_IO;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    chown(path, uid, gid)) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			closedir(d);
			return MD_E_IO;
		}
	}
	closedir(d);
	return 0;
}

int md_drop_privileges(const char *user, const char *group, const char *log_dir,
		       char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;
	if (!user && !group)
		return 0;
	if (lookup_ids(user, group, &uid, &gid, err, errlen))
		return MD_E_IO;
	if (log_dir && chown_logs(log_dir, uid, gid, err, errlen))
		return MD_E_IO;
	capng_clear(CAPNG_SELECT_BOTH);
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
		     CAP_NET_ADMIN);
	int rc = capng_change_id((int)uid, (int)gid,
				 CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
	if (rc) {
		snprintf(err, errlen,
			 "cannot switch to uid %u gid %u (libcap-ng error "
			 "%d)",
			 (unsigned)uid, (unsigned)gid, rc);
		return MD_E_IO;
	}
	return 0;
}
