/* fuzz-astm.c - libFuzzer target for the ASTM example plugin's parser
 * (plugin/examples/astm), driven as the engine drives it: bytes left
 * unconsumed are handed again with the next ones, directions alternate,
 * gaps, then eof on both sides. The sink checks every id it is given.
 *
 * Input: a control byte (bit 0: small limits: max-field 300, max-items 8),
 * then pieces separated by 0xFF; a piece whose next byte has bit 7 set is
 * followed by a gap. Build and run (seeds: TCP payloads of the captures of
 * tests/plugins/make-astm-pcaps.py):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       $(pkg-config --cflags medids-plugin) tests/plugins/fuzz-astm.c \
 *       plugin/examples/astm/astm-*.c -o fuzz-astm
 *   ./fuzz-astm -max_len=20000 corpus
 */
#include <stdlib.h>
#include <string.h>

#include <md-plugin.h>

extern const struct md_parser astm_parser;

static uint64_t n_tx;

static void check_field(unsigned f)
{
	if (f >= astm_parser.n_fields)
		abort();
}

static void on_event(void *c, uint64_t tx, unsigned id)
{
	(void)c, (void)tx;
	if (id >= astm_parser.n_events)
		abort();
}

static uint64_t on_tx_new(void *c, enum md_dir d)
{
	(void)c, (void)d;
	return n_tx++;
}

static void on_str(void *c, uint64_t tx, unsigned f, const uint8_t *p,
		   size_t len)
{
	volatile uint8_t x = 0;
	(void)c, (void)tx;
	check_field(f);
	for (size_t i = 0; i < len; i++)
		x ^= p[i]; /* every byte of a span must be readable */
	(void)x;
}

static void on_uint(void *c, uint64_t tx, unsigned f, uint64_t v)
{
	(void)c, (void)tx, (void)v;
	check_field(f);
}

static void on_group(void *c, uint64_t tx, unsigned f)
{
	(void)c, (void)tx;
	check_field(f);
}

static void on_progress(void *c, uint64_t tx, enum md_dir d, unsigned p)
{
	(void)c, (void)tx, (void)d, (void)p;
}

struct pending {
	uint8_t *buf;
	size_t len;
};

/* Append piece to what direction dir left unconsumed and parse a copy of
 * exactly that many bytes (so an overread leaves the heap block). */
static void feed(void *st, int dir, struct pending *pd, const uint8_t *piece,
		 size_t n, const struct md_sink *k)
{
	uint8_t *nb = realloc(pd->buf, pd->len + n + 1);
	if (!nb)
		abort();
	pd->buf = nb;
	if (n)
		memcpy(pd->buf + pd->len, piece, n);
	pd->len += n;
	uint8_t *cp = malloc(pd->len ? pd->len : 1);
	if (!cp)
		abort();
	if (pd->len)
		memcpy(cp, pd->buf, pd->len);
	size_t used = 0;
	astm_parser.parse(st, (enum md_dir)dir, cp, pd->len, &used, k);
	free(cp);
	if (used > pd->len)
		abort();
	memmove(pd->buf, pd->buf + used, pd->len - used);
	pd->len -= used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct md_sink k = {.event = on_event,
			    .tx_new = on_tx_new,
			    .tx_str = on_str,
			    .tx_uint = on_uint,
			    .tx_group = on_group,
			    .tx_progress = on_progress};
	struct md_limits lim = {.max_field = 65536, .max_items = 256};
	struct pending pd[2] = {{NULL, 0}, {NULL, 0}};
	if (!size)
		return 0;
	if (data[0] & 1) {
		lim.max_field = 300;
		lim.max_items = 8;
	}
	void *st = calloc(1, astm_parser.state_size);
	if (!st || astm_parser.init(st, &lim))
		abort();
	size_t i = 1;
	int dir = 0;
	while (i < size) {
		const uint8_t *end = memchr(data + i, 0xFF, size - i);
		size_t j = end ? (size_t)(end - data) : size;
		feed(st, dir, &pd[dir], data + i, j - i, &k);
		if (j + 1 < size && (data[j + 1] & 0x80)) {
			pd[dir].len = 0; /* the engine drops them at a gap */
			astm_parser.gap(st, (enum md_dir)dir, 10, &k);
		}
		dir ^= 1;
		i = j + 1;
	}
	astm_parser.eof(st, MD_DIR_TOSERVER, &k);
	astm_parser.eof(st, MD_DIR_TOCLIENT, &k);
	astm_parser.fini(st);
	free(st);
	free(pd[0].buf);
	free(pd[1].buf);
	return 0;
}
