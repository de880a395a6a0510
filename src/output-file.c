/* output-file.c - `filetype: regular`: EVE lines appended to a file.
 *
 * Records collect in a buffer (buffer-size bytes) written with write(2)
 * when full, every flush-interval ms (the flusher thread of eve.c) and at
 * reopen and exit. The file is opened O_APPEND, so logrotate's
 * copytruncate mode works without a reopen (the next write lands at the
 * new end), and its create mode works with SIGHUP -> md_eve_reopen.
 *
 * A failed write (disk full, I/O error) costs the records of that buffer:
 * the whole lines that reached the file count as written, the rest as
 * dropped, the failure once in errors; a line cut short is truncated away
 * so the file holds only whole records. Nothing is retried and nothing
 * stops: the next flush tries again. The first failure of a run of them
 * is reported on stderr.
 *
 * threaded: yes gives each writing thread its own file, the thread's
 * number (1, 2, ... in order of first write) inserted before the
 * extension: eve.json -> eve.1.json, eve.2.json.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "mem.h"
#include "output.h"

#define MD_OUT_MAX_THREADS 64

struct fslot {
	int fd;
	char *buf;
	size_t len;
	char path[MD_OUT_PATH + 16];
};

struct ofile {
	pthread_mutex_t mu;
	size_t cap;
	bool failing; /* the last write failed (reported once) */
	struct fslot *slot[MD_OUT_MAX_THREADS];
};

/* Thread numbers for per-thread files: 1, 2, ... in order of first use. */
static unsigned next_tid;
static __thread unsigned my_tid;

static unsigned thread_index(void)
{
	if (!my_tid)
		my_tid = __atomic_add_fetch(&next_tid, 1, __ATOMIC_RELAXED);
	return my_tid;
}

static int open_fd(const struct md_output *o, const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    (mode_t)o->cfg.filemode);
}

/* The path of thread tid's file (tid 0: the configured file). */
static void slot_path(char *out, size_t len, const char *file, unsigned tid)
{
	const char *slash = strrchr(file, '/'), *dot = strrchr(file, '.');
	if (!tid) {
		snprintf(out, len, "%s", file);
		return;
	}
	if (dot && (!slash || dot > slash + 1))
		snprintf(out, len, "%.*s.%u%s", (int)(dot - file), file, tid,
			 dot);
	else
		snprintf(out, len, "%s.%u", file, tid);
}

static struct fslot *slot_new(struct md_output *o, struct ofile *f,
			      unsigned tid)
{
	struct fslot *s = md_calloc(1, sizeof(*s));
	if (!s || !(s->buf = md_malloc(f->cap))) {
		md_free(s);
		return NULL;
	}
	slot_path(s->path, sizeof(s->path), o->cfg.filename, tid);
	s->fd = open_fd(o, s->path);
	return s;
}

static size_t count_nl(const char *p, size_t n)
{
	size_t c = 0;
	for (const char *e = p + n; (p = memchr(p, '\n', (size_t)(e - p))); p++)
		c++;
	return c;
}

static void report(struct md_output *o, struct ofile *f, const char *path,
		   int err)
{
	MD_OUT_ADD(o, errors, 1);
	if (!f->failing)
		fprintf(stderr,
			"medids: output %s: %s: %s (records dropped, counted "
			"in stats output.%s)\n",
			o->cfg.name, path, strerror(err), o->cfg.name);
	f->failing = true;
}

/* Remove a partial line (the last `partial` bytes) left by a short
 * write, so the file keeps only whole records. */
static void cut_partial(int fd, size_t partial)
{
	struct stat st;
	if (partial && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (off_t)partial <= st.st_size)
		(void)!ftruncate(fd, st.st_size - (off_t)partial);
}

/* Write p[0..n) (whole lines); count what reached the file. Locked. */
static void write_lines(struct md_output *o, struct ofile *f, struct fslot *s,
			const char *p, size_t n)
{
	size_t off = 0;
	if (s->fd < 0)
		s->fd = open_fd(o, s->path);
	if (s->fd < 0) {
		MD_OUT_ADD(o, dropped, count_nl(p, n));
		report(o, f, s->path, errno);
		return;
	}
	while (off < n) {
		ssize_t w = write(s->fd, p + off, n - off);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		int e = w < 0 ? errno : ENOSPC;
		const char *nl = off ? memrchr(p, '\n', off) : NULL;
		size_t whole = nl ? (size_t)(nl - p) + 1 : 0;
		cut_partial(s->fd, off - whole);
		MD_OUT_ADD(o, written, count_nl(p, whole));
		MD_OUT_ADD(o, dropped, count_nl(p + whole, n - whole));
		report(o, f, s->path, e);
		return;
	}
	MD_OUT_ADD(o, written, count_nl(p, n));
	f->failing = false;
}

static void flush_slot(struct md_output *o, struct ofile *f, struct fslot *s)
{
	if (s && s->len) {
		write_lines(o, f, s, s->buf, s->len);
		s->len = 0;
	}
}

static int file_write(struct md_output *o, const char *rec, size_t len)
{
	struct ofile *f = o->impl;
	unsigned tid = o->cfg.threaded ? thread_index() : 0;
	size_t idx = tid ? (tid - 1) % MD_OUT_MAX_THREADS : 0;
	pthread_mutex_lock(&f->mu);
	struct fslot *s = f->slot[idx];
	if (!s && !(s = f->slot[idx] = slot_new(o, f, tid))) {
		pthread_mutex_unlock(&f->mu);
		MD_OUT_ADD(o, errors, 1);
		MD_OUT_ADD(o, dropped, 1);
		return MD_E_NOMEM;
	}
	if (s->len + len + 1 > f->cap)
		flush_slot(o, f, s);
	if (len + 1 > f->cap) { /* larger than the buffer: straight out */
		char *tmp = md_malloc(len + 1);
		if (tmp) {
			memcpy(tmp, rec, len);
			tmp[len] = '\n';
			write_lines(o, f, s, tmp, len + 1);
			md_free(tmp);
		} else {
			MD_OUT_ADD(o, errors, 1);
			MD_OUT_ADD(o, dropped, 1);
		}
	} else {
		memcpy(s->buf + s->len, rec, len);
		s->buf[s->len + len] = '\n';
		s->len += len + 1;
		if (!o->cfg.flush_interval)
			flush_slot(o, f, s);
	}
	pthread_mutex_unlock(&f->mu);
	return 0;
}

static void file_flush(struct md_output *o)
{
	struct ofile *f = o->impl;
	pthread_mutex_lock(&f->mu);
	for (size_t i = 0; i < MD_OUT_MAX_THREADS; i++)
		flush_slot(o, f, f->slot[i]);
	pthread_mutex_unlock(&f->mu);
}

/* Flush, close and open again by name: after logrotate moved the file,
 * this creates the new one. */
static void file_reopen(struct md_output *o)
{
	struct ofile *f = o->impl;
	pthread_mutex_lock(&f->mu);
	for (size_t i = 0; i < MD_OUT_MAX_THREADS; i++) {
		struct fslot *s = f->slot[i];
		if (!s)
			continue;
		flush_slot(o, f, s);
		if (s->fd >= 0)
			close(s->fd);
		s->fd = open_fd(o, s->path);
		if (s->fd < 0)
			report(o, f, s->path, errno);
	}
	pthread_mutex_unlock(&f->mu);
}

static void file_sync(struct md_output *o, unsigned ms)
{
	(void)ms;
	file_flush(o);
}

static void file_close(struct md_output *o)
{
	struct ofile *f = o->impl;
	file_flush(o);
	for (size_t i = 0; i < MD_OUT_MAX_THREADS; i++) {
		struct fslot *s = f->slot[i];
		if (!s)
			continue;
		if (s->fd >= 0 && close(s->fd) != 0)
			MD_OUT_ADD(o, errors, 1);
		md_free(s->buf);
		md_free(s);
	}
	pthread_mutex_destroy(&f->mu);
	md_free(f);
	o->impl = NULL;
}

static const struct md_output_ops file_ops = {
    .write = file_write,
    .flush = file_flush,
    .reopen = file_reopen,
    .sync = file_sync,
    .close = file_close,
};

int md_out_file_open(struct md_output *o, char *err, size_t errlen)
{
	struct ofile *f = md_calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "%s: out of memory", o->cfg.filename);
		return MD_E_NOMEM;
	}
	f->cap = o->cfg.buffer_size < 4096 ? 4096 : o->cfg.buffer_size;
	pthread_mutex_init(&f->mu, NULL);
	if (!o->cfg.threaded) { /* open now: a bad path fails the start */
		f->slot[0] = slot_new(o, f, 0);
		if (!f->slot[0] || f->slot[0]->fd < 0) {
			int e = f->slot[0] ? errno : ENOMEM;
			snprintf(err, errlen, "%s: %s", o->cfg.filename,
				 strerror(e));
			if (f->slot[0])
				md_free(f->slot[0]->buf);
			md_free(f->slot[0]);
			pthread_mutex_destroy(&f->mu);
			md_free(f);
			return e == ENOMEM ? MD_E_NOMEM : MD_E_IO;
		}
	} else {
		/* Check the directory is writable now rather than at the
		 * first record. */
		char dir[MD_OUT_PATH];
		const char *slash = strrchr(o->cfg.filename, '/');
		snprintf(dir, sizeof(dir), "%.*s",
			 slash ? (int)(slash - o->cfg.filename) : 1,
			 slash ? o->cfg.filename : ".");
		if (access(dir[0] ? dir : "/", W_OK) != 0) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			pthread_mutex_destroy(&f->mu);
			md_free(f);
			return MD_E_IO;
		}
	}
	o->ops = &file_ops;
	o->impl = f;
	return 0;
}
