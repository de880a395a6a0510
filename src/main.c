/* main.c - the medids command line: run inline on NFQUEUE (-q), replay
 * captures (-r), check a configuration (-T), print build information. */
#include "md-build.h"

#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture-nfq.h"
#include "capture.h"
#include "daemon.h"
#include "config.h"
#include "detect.h"
#include "engine.h"
#include "inventory.h"
#include "md-parser.h"
#include "plugin-load.h"
#include "progress.h"
#include "registry.h"
#include "rules-load.h"
#include "signals.h"

#define MD_DEFAULT_CONF MD_SYSCONFDIR "/medids.yaml"

#define MD_MAX_CLI_PLUGINS 16

/* What to print instead of running (after the plugins are loaded). */
enum { SHOW_NONE = 0, SHOW_BUILD, SHOW_KEYWORDS, SHOW_PROTOS };

struct opts {
	const char *replay, *log_dir, *conf, *csum;
	const char *rules[MD_MAX_RULE_FILES];
	size_t n_rules;
	const char *plugins[MD_MAX_CLI_PLUGINS];
	size_t n_plugins;
	bool test, fatal, simulate_ips, daemon;
	int verbose, show;
	const char *pidfile, *user, *group;
	struct md_nfq_cfg nfq; /* queues from -q */
};

static void usage(FILE *fp)
{
	fprintf(
	    fp,
	    "Usage: medids [OPTIONS] -q N | -r PATH\n"
	    "       medids inventory [--csv|--json] EVE_FILE...\n"
	    "Inline IDS/IPS for hospital networks: DICOM, HL7 v2 and IEEE "
	    "11073.\n\n"
	    "  -q N | -q A:B       inline on NFQUEUE queue N (or A to B); "
	    "repeatable;\n"
	    "                      one worker thread per queue\n"
	    "  -r PATH             replay a pcap or pcapng file, or every "
	    "capture\n"
	    "                      in a directory in name order\n"
	    "  -D                  run in the background (with -q)\n"
	    "      --pidfile FILE  write the process id to FILE\n"
	    "      --user USER     run as USER once the queues are open\n"
	    "      --group GROUP   ... and GROUP (default: USER's)\n"
	    "      --simulate-ips  replay with inline verdicts (counted, "
	    "logged)\n"
	    "  -l DIR              log directory (eve.json goes there)\n"
	    "  -c FILE             configuration file (default %s)\n"
	    "  -S FILE             rule file; repeatable; replaces rule-files\n"
	    "  -T                  check configuration and rules, then exit\n"
	    "  -k auto|all|none    checksum validation (default auto)\n"
	    "  -v                  more messages (repeat for more)\n"
	    "      --init-errors-fatal  any configuration or rule error is "
	    "fatal\n"
	    "      --plugin FILE   load a protocol plugin (.so); repeatable\n"
	    "      --list-keywords print every rule keyword and exit\n"
	    "      --list-app-layer-protos  print the protocol parsers and "
	    "exit\n"
	    "      --build-info    print build information and exit\n"
	    "  -V, --version       print the version and exit\n"
	    "  -h, --help          this help\n\n"
	    "See medids(8) and medids.yaml for every setting.\n",
	    MD_DEFAULT_CONF);
}

static void build_info(void)
{
	printf("medids %s\n", PACKAGE_VERSION);
	printf("parser ABI: %u.%u\n", MD_PARSER_ABI_MAJOR, MD_PARSER_ABI_MINOR);
	printf("configuration: %s\nrules: %s\nlogs: %s\n", MD_DEFAULT_CONF,
	       MD_RULEDIR, MD_LOGDIR);
	printf("libpcap: %s\n", pcap_lib_version());
	printf("compiler: %s\n", __VERSION__);
	printf("app-layer parsers:");
	for (size_t i = 0; i < md_registry_count(); i++)
		printf(" %s", md_registry_get(i)->name);
	printf("%s\n", md_registry_count() ? "" : " (none)");
	printf("plugin directory: %s\n", MD_PLUGINDIR);
	for (size_t i = 0; i < md_registry_plugin_count(); i++) {
		const struct md_plugin_rec *r = md_registry_plugin(i);
		if (r->path)
			printf("plugin: %s %s (ABI %u.%u) from %s\n",
			       r->pl->name,
			       r->pl->version ? r->pl->version : "",
			       r->pl->abi >> 16, r->pl->abi & 0xffff, r->path);
	}
}

static void list_protos(void)
{
	for (size_t i = 0; i < md_registry_count(); i++) {
		const struct md_parser *pp = md_registry_get(i);
		printf("%-12s %s\n", pp->name, pp->desc ? pp->desc : "");
	}
}

static void show(int what)
{
	if (what == SHOW_BUILD)
		build_info();
	else if (what == SHOW_KEYWORDS)
		md_detect_list_keywords(stdout);
	else
		list_protos();
}

/* Load the plugins of the configuration and of --plugin. Returns 1 when
 * a failure must stop the start. */
static int load_plugins(const struct opts *o, const struct md_conf *conf)
{
	if (conf && md_plugins_load_conf(conf, o->fatal, stderr))
		return 1;
	return md_plugins_load_list(o->plugins, o->n_plugins, o->fatal, stderr)
		   ? 1
		   : 0;
}

enum {
	OPT_BUILD = 256,
	OPT_FATAL,
	OPT_KEYWORDS,
	OPT_PROTOS,
	OPT_PIDFILE,
	OPT_USER,
	OPT_GROUP,
	OPT_SIMIPS,
	OPT_PLUGIN
};

/* Options of inline operation: 1 when c was one (taken), 2 on a usage
 * error, 0 when c is another option. */
static int live_opt(int c, struct opts *o)
{
	char err[256];
	switch (c) {
	case 'q':
		if (md_nfq_add_queues(&o->nfq, optarg, err, sizeof(err))) {
			fprintf(stderr, "medids: %s\n", err);
			return 2;
		}
		break;
	case 'D':
		o->daemon = true;
		break;
	case OPT_PIDFILE:
		o->pidfile = optarg;
		break;
	case OPT_USER:
		o->user = optarg;
		break;
	case OPT_GROUP:
		o->group = optarg;
		break;
	case OPT_SIMIPS:
		o->simulate_ips = true;
		break;
	default:
		return 0;
	}
	return 1;
}

/* Returns -1 to continue, else the exit status. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"build-info", no_argument, NULL, OPT_BUILD},
	    {"init-errors-fatal", no_argument, NULL, OPT_FATAL},
	    {"list-keywords", no_argument, NULL, OPT_KEYWORDS},
	    {"list-app-layer-protos", no_argument, NULL, OPT_PROTOS},
	    {"plugin", required_argument, NULL, OPT_PLUGIN},
	    {"pidfile", required_argument, NULL, OPT_PIDFILE},
	    {"user", required_argument, NULL, OPT_USER},
	    {"group", required_argument, NULL, OPT_GROUP},
	    {"simulate-ips", no_argument, NULL, OPT_SIMIPS},
	    {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "q:Dr:l:c:S:Tk:vVh", lo, NULL)) !=
	       -1) {
		int lr = live_opt(c, o);
		if (lr == 2)
			return 2;
		if (lr)
			continue;
		switch (c) {
		case 'r':
			o->replay = optarg;
			break;
		case 'l':
			o->log_dir = optarg;
			break;
		case 'c':
			o->conf = optarg;
			break;
		case 'S':
			if (o->n_rules == MD_MAX_RULE_FILES) {
				fprintf(stderr, "medids: too many -S files\n");
				return 2;
			}
			o->rules[o->n_rules++] = optarg;
			break;
		case 'T':
			o->test = true;
			break;
		case 'k':
			o->csum = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		case OPT_KEYWORDS:
			o->show = SHOW_KEYWORDS;
			break;
		case OPT_PROTOS:
			o->show = SHOW_PROTOS;
			break;
		case OPT_PLUGIN:
			if (o->n_plugins == MD_MAX_CLI_PLUGINS) {
				fprintf(stderr, "medids: too many --plugin\n");
				return 2;
			}
			o->plugins[o->n_plugins++] = optarg;
			break;
		case OPT_FATAL:
			o->fatal = true;
			break;
		case OPT_BUILD:
			o->show = SHOW_BUILD;
			break;
		case 'V':
			printf("medids %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "medids: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	return -1;
}

static int apply_opts(struct md_engine_cfg *cfg, const struct opts *o)
{
	if (o->log_dir)
		snprintf(cfg->log_dir, sizeof(cfg->log_dir), "%s", o->log_dir);
	if (o->csum) {
		if (!strcmp(o->csum, "none"))
			cfg->csum_mode = MD_CSUM_NONE;
		else if (!strcmp(o->csum, "all"))
			cfg->csum_mode = MD_CSUM_ALL;
		else if (!strcmp(o->csum, "auto"))
			cfg->csum_mode = MD_CSUM_AUTO;
		else {
			fprintf(stderr,
				"medids: -k %s: expected auto, all or none\n",
				o->csum);
			return 2;
		}
	}
	if (o->n_rules) {
		memcpy(cfg->rule_files, o->rules, o->n_rules * sizeof(char *));
		cfg->n_rule_files = o->n_rules;
	}
	return 0;
}

/* Read the configuration file, load the plugins it and --plugin name
 * (their protocols are then known to `types:` and `protocols:`), then
 * apply the configuration and the options. */
static int load_config(const struct opts *o, struct md_conf **conf,
		       struct md_engine_cfg *cfg)
{
	char err[512];
	const char *path = o->conf;
	md_engine_cfg_defaults(cfg);
	*conf = NULL;
	if (!path && access(MD_DEFAULT_CONF, R_OK) == 0)
		path = MD_DEFAULT_CONF;
	if (path && md_conf_load_file(conf, path, err, sizeof(err))) {
		fprintf(stderr, "medids: %s\n", err);
		return 1;
	}
	if (load_plugins(o, *conf))
		return 1;
	if (*conf && md_engine_cfg_load(cfg, *conf, err, sizeof(err))) {
		fprintf(stderr, "medids: %s\n", err);
		return 1;
	}
	if (apply_opts(cfg, o))
		return 2;
	/* the plugins' own rule files load with the others */
	const char *const *rf;
	size_t n = md_plugin_rule_files(&rf);
	for (size_t i = 0; i < n && cfg->n_rule_files < MD_MAX_RULE_FILES; i++)
		cfg->rule_files[cfg->n_rule_files++] = rf[i];
	return 0;
}

/* Load every rule file (-S paths as given, rule-files relative to
 * default-rule-path) into a new detection engine. Bad rules are printed
 * as FILE:LINE: reason. Returns 1 when errors must stop the start. */
static int load_rules(const struct md_engine_cfg *cfg,
		      const struct md_conf *conf, bool from_cmdline, bool fatal,
		      struct md_ruleset *rs, struct md_detect **out)
{
	char path[1024], err[512], dir[1024];
	struct md_detect_cfg dcfg = {
	    .conf = conf, .rule_dir = cfg->rule_path, .data_dir = cfg->log_dir};
	*out = NULL;
	if (!cfg->n_rule_files)
		return 0; /* no rules: no detection engine at all */
	/* With -S, datasets and threshold.config are found next to the first
	 * rule file; classification and reference configs come from the
	 * rule directory when it has them, else from there too. */
	char cls[1100], ref[1100];
	if (from_cmdline) {
		const char *f = cfg->rule_files[0], *slash = strrchr(f, '/');
		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - f) : 1,
			 slash ? f : ".");
		dcfg.rule_dir = dir;
		snprintf(cls, sizeof(cls), "%s/classification.config",
			 cfg->rule_path);
		snprintf(ref, sizeof(ref), "%s/reference.config",
			 cfg->rule_path);
		if (access(cls, R_OK) == 0)
			dcfg.classification_file = cls;
		if (access(ref, R_OK) == 0)
			dcfg.reference_file = ref;
	}
	for (size_t i = 0; i < cfg->n_rule_files; i++) {
		const char *f = cfg->rule_files[i];
		if (!from_cmdline && f[0] != '/') {
			snprintf(path, sizeof(path), "%s/%s", cfg->rule_path,
				 f);
			f = path;
		}
		if (md_rules_load_file(rs, f, stderr) == MD_E_NOMEM) {
			fprintf(stderr, "medids: %s: out of memory\n", f);
			return 1;
		}
	}
	struct md_detect *d = md_detect_new(&dcfg, stderr, fatal);
	if (!d) {
		fprintf(stderr, "medids: cannot create the detection engine\n");
		return 1;
	}
	size_t bad = 0;
	for (size_t i = 0; i < rs->n; i++) {
		const struct md_rule_text *r = &rs->rules[i];
		int rc = md_detect_add_rule(d, r->text, r->file, r->line, err,
					    sizeof(err));
		if (rc == MD_E_UNSUPPORTED)
			fprintf(stderr, "%s:%u: skipped: %s\n", r->file,
				r->line, err);
		else if (rc) {
			fprintf(stderr, "%s:%u: %s\n", r->file, r->line, err);
			bad++;
		}
	}
	if (md_detect_build(d, err, sizeof(err))) {
		fprintf(stderr, "medids: rules: %s\n", err);
		md_detect_free(d);
		return 1;
	}
	*out = d;
	return fatal && (bad || rs->failed || rs->missing);
}

static int replay(struct md_engine_cfg *cfg, const char *path,
		  struct md_detect *det, uint64_t failed, int verbose,
		  bool simulate_ips)
{
	char err[512], **files;
	size_t n;
	struct md_engine *e;
	struct md_worker w;
	struct md_progress pr;

	if (md_capture_list(path, &files, &n, err, sizeof(err))) {
		fprintf(stderr, "medids: %s\n", err);
		md_detect_free(det);
		return 1;
	}
	if (md_engine_new(&e, cfg, det, err, sizeof(err))) {
		fprintf(stderr, "medids: %s\n", err);
		md_capture_files_free(files, n);
		return 1;
	}
	e->rules_failed_load = failed;
	e->inline_mode = simulate_ips;
	if (md_worker_init(&w, e)) {
		fprintf(stderr, "medids: out of memory\n");
		md_engine_free(e);
		md_capture_files_free(files, n);
		return 1;
	}
	md_progress_init(&pr, (unsigned)n, false);
	size_t bad = md_capture_replay(&w, files, n, &pr, &md_sig_stop);
	md_progress_done(&pr);
	md_worker_fini(&w);
	struct md_worker *wp = &w;
	md_engine_stats(e, &wp, 1, w.now_usec);
	if (verbose)
		fprintf(stderr,
			"medids: %zu file(s), %llu packets, %llu flows, %llu "
			"records "
			"in %s/%s\n",
			n - bad, (unsigned long long)w.ctr.v[MD_CTR_DEC_PKTS],
			(unsigned long long)w.ctr.v[MD_CTR_FLOW_TOTAL],
			(unsigned long long)e->eve->written, cfg->log_dir,
			cfg->eve_file);
	md_engine_free(e);
	md_capture_files_free(files, n);
	return bad == n && n ? 1 : 0;
}

/* What a rule reload (SIGUSR2) needs: the rule files and config. */
struct reload_ctx {
	const struct md_engine_cfg *cfg;
	const struct md_conf *conf;
	bool from_cmdline;
};

static struct md_detect *reload_rules(void *user)
{
	const struct reload_ctx *r = user;
	struct md_ruleset rs = {0};
	struct md_detect *d = NULL;
	if (load_rules(r->cfg, r->conf, r->from_cmdline, false, &rs, &d)) {
		md_detect_free(d);
		d = NULL;
	}
	md_ruleset_fini(&rs);
	return d;
}

static const char *conf_str(const struct md_conf *c, const char *k,
			    const char *over)
{
	return over ? over : c ? md_conf_str(c, k, NULL) : NULL;
}

/* After the queues are open: background, pid file, privileges. */
static int go_live(const struct opts *o, const struct md_conf *conf,
		   const char *pidfile, const char *log_dir)
{
	char err[512];
	if (o->daemon && md_daemon_start()) {
		perror("medids: fork");
		return 1;
	}
	if ((pidfile && md_pidfile_write(pidfile, err, sizeof(err))) ||
	    md_drop_privileges(conf_str(conf, "run-as.user", o->user),
			       conf_str(conf, "run-as.group", o->group),
			       log_dir, err, sizeof(err))) {
		fprintf(stderr, "medids: %s\n", err);
		md_daemon_ready(false);
		return 1;
	}
	md_daemon_ready(true);
	return 0;
}

static int run_inline(struct md_engine_cfg *cfg, const struct md_conf *conf,
		      const struct opts *o, struct md_detect *det,
		      uint64_t failed)
{
	char err[512];
	struct md_nfq_cfg nc;
	struct md_engine *e = NULL;
	struct md_nfq *n = NULL;
	const char *pidfile = conf_str(conf, "pid-file", o->pidfile);
	struct reload_ctx rctx = {cfg, conf, o->n_rules > 0};
	int rc = 1;

	cfg->defer_output_threads = true; /* started after go_live */
	md_nfq_cfg_defaults(&nc);
	if (conf && md_nfq_cfg_load(&nc, conf, err, sizeof(err))) {
		fprintf(stderr, "medids: %s\n", err);
		md_detect_free(det);
		return 1;
	}
	memcpy(nc.queues, o->nfq.queues, sizeof(nc.queues));
	nc.n_queues = o->nfq.n_queues;
	if (md_engine_new(&e, cfg, det, err, sizeof(err)) ||
	    md_nfq_open(&n, e, &nc, err, sizeof(err))) {
		fprintf(stderr, "medids: %s\n", err);
		goto out;
	}
	e->rules_failed_load = failed;
	if (go_live(o, conf, pidfile, cfg->log_dir))
		goto out;
	int bad = md_eve_start(e->eve);
	if (bad)
		snprintf(err, sizeof(err), "EVE output threads: out of memory");
	else
		bad = md_nfq_start(n, err, sizeof(err));
	if (bad) {
		fprintf(stderr, "medids: %s\n", err);
		goto out;
	}
	if (o->verbose)
		fprintf(stderr, "medids: inline on %u queue(s)\n", nc.n_queues);
	rc = md_nfq_run(n, reload_rules, &rctx);
out:
	md_nfq_free(n);
	md_engine_free(e);
	if (pidfile)
		md_pidfile_remove(pidfile);
	return rc;
}

static int check_only(const char *conf_path, const struct md_ruleset *rs,
		      const struct md_detect *d)
{
	static const struct md_detect_stats none;
	const struct md_detect_stats *st = d ? md_detect_get_stats(d) : &none;
	printf("medids: configuration %s: %zu rule file(s), %llu rules "
	       "loaded, %llu failed, %llu skipped\n",
	       conf_path ? conf_path : "(defaults)", rs->files,
	       (unsigned long long)st->loaded,
	       (unsigned long long)(st->failed + rs->failed),
	       (unsigned long long)st->skipped);
	return rs->missing || st->failed || rs->failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct md_conf *conf = NULL;
	struct md_engine_cfg cfg;
	struct md_ruleset rs = {0};
	struct md_detect *det = NULL;
	if (argc > 1 && !strcmp(argv[1], "inventory"))
		return md_inventory_cli(argc - 1, argv + 1);
	int rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (md_signals_install() != 0)
		perror("medids: sigaction");
	md_registry_init();
	if (md_inventory_register())
		fprintf(stderr,
			"medids: cannot register the device protocol\n");
	rc = load_config(&o, &conf, &cfg);
	if (!rc && o.show) {
		show(o.show);
		goto out;
	}
	if (!rc && load_rules(&cfg, conf, o.n_rules > 0, o.fatal, &rs, &det))
		rc = 1;
	if (!rc && o.test) {
		rc = check_only(o.conf, &rs, det);
	} else if (!rc && o.replay && o.nfq.n_queues) {
		fprintf(stderr, "medids: -q and -r exclude each other\n");
		rc = 2;
	} else if (!rc && o.nfq.n_queues) {
		rc = run_inline(&cfg, conf, &o, det, rs.failed);
		det = NULL; /* the engine took it */
	} else if (!rc && !o.replay) {
		fprintf(stderr, "medids: no packet source: give -q N or -r "
				"PATH (see --help)\n");
		rc = 2;
	} else if (!rc) {
		rc = replay(&cfg, o.replay, det, rs.failed, o.verbose,
			    o.simulate_ips);
		det = NULL; /* the engine took it */
	}
out:
	md_detect_free(det);
	md_ruleset_fini(&rs);
	md_conf_free(conf);
	md_plugins_fini();
	return rc;
}
