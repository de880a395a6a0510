/* http.c - HTTP/1.x over TCP: the probe, the ops table and the libhtp
 * connection parser that every byte goes through. libhtp frames requests
 * and responses, removes chunked coding, decodes gzip/deflate content and
 * logs what it finds odd; its callbacks become sink calls here: one http
 * transaction per request/response pair (complete when both ended).
 *
 * Normative reference: RFC 9112 (HTTP/1.1 messages), RFC 9110 (semantics);
 * libhtp 0.5 (htp.h, htp_config.h, htp_connection_parser.h).
 *
 *   parse(dir) --> htp_connp_req_data / htp_connp_res_data
 *                    |-- request_start     --> tx_new
 *                    |-- request_headers   --> method, uri, host, headers
 *                    |-- body_data         --> http-body.c (bounded)
 *                    |-- request_complete  --> body, progress to server
 *                    |-- response_headers  --> status, content type, ...
 *                    |-- response_complete --> body, progress to client
 *                    '-- log               --> http.<event>
 */
#include <string.h>
#include <sys/time.h>

#include <htp/htp.h>

#include "http.h"
#include "md-plugin.h"
#include "mem.h"

static const htp_time_t zero_ts;

static struct http_state *state_of(htp_connp_t *connp)
{
	return htp_connp_get_user_data(connp);
}

void http_event(struct http_state *s, struct http_tx *t, unsigned ev)
{
	uint32_t *seen = t ? &t->events : &s->flow_events;
	if (!s->k || ev >= HE_MAX || (*seen & (1u << ev)))
		return;
	*seen |= 1u << ev;
	s->k->event(s->k->ctx, t ? t->id : MD_TX_NONE, ev);
}

/* ---- probe ----------------------------------------------------------------
 */

static bool method_char(int c)
{
	return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

/* "HTTP/1." at the reader's position. */
static bool http_version_at(const struct md_rd *r, size_t at)
{
	static const char v[] = "HTTP/1.";
	for (size_t i = 0; i < sizeof(v) - 1; i++)
		if (md_rd_peek(r, at + i) != v[i])
			return false;
	return true;
}

/* Request: 1..24 method characters, a space, a target without controls,
 * " HTTP/1." and the line end. Response (a capture that starts mid-flow):
 * "HTTP/1.x " and three digits. */
static enum md_probe_rc http_probe(const uint8_t *buf, size_t len,
				   enum md_dir dir)
{
	struct md_rd r = md_rd_make(buf, len);
	size_t i = 0;
	(void)dir;
	if (http_version_at(&r, 0) || (len < 7 && md_rd_peek(&r, 0) == 'H')) {
		for (i = 0; i < 12; i++) {
			int c = md_rd_peek(&r, i);
			if (c < 0)
				return MD_PROBE_NEED_MORE;
			if (i == 7 && c != '0' && c != '1')
				return MD_PROBE_NO;
			if (i == 8 && c != ' ')
				return MD_PROBE_NO;
			if (i > 8 && (c < '0' || c > '9'))
				return MD_PROBE_NO;
		}
		return http_version_at(&r, 0) ? MD_PROBE_YES : MD_PROBE_NO;
	}
	for (i = 0;; i++) {
		int c = md_rd_peek(&r, i);
		if (c < 0)
			return MD_PROBE_NEED_MORE;
		if (c == ' ' && i > 0)
			break;
		if (!method_char(c) || i >= 24)
			return MD_PROBE_NO;
	}
	for (i++; i < HTTP_PROBE_LINE; i++) {
		int c = md_rd_peek(&r, i);
		if (c < 0)
			return MD_PROBE_NEED_MORE;
		if (c == ' ' && http_version_at(&r, i + 1))
			return md_rd_peek(&r, i + 9) < 0 ? MD_PROBE_NEED_MORE
			       : md_rd_peek(&r, i + 9) == '\r' ||
				       md_rd_peek(&r, i + 9) == '\n'
				   ? MD_PROBE_YES
				   : MD_PROBE_NO;
		if (c < 0x21 && c != ' ')
			return MD_PROBE_NO;
	}
	return MD_PROBE_NO;
}

/* ---- headers ----------------------------------------------------------------
 */

static void put_bstr(struct http_state *s, struct http_tx *t, unsigned f,
		     const bstr *b)
{
	if (b && t->id != MD_TX_NONE)
		s->k->tx_str(s->k->ctx, t->id, f, bstr_ptr(b), bstr_len(b));
}

/* Host names compare without case: rules and EVE see them in lower case. */
static void put_lower(struct http_state *s, struct http_tx *t, unsigned f,
		      const bstr *b)
{
	size_t n = b ? bstr_len(b) : 0;
	uint8_t *low = n ? md_malloc(n) : NULL;
	if (!low || t->id == MD_TX_NONE) {
		md_free(low);
		return;
	}
	struct md_rd r = md_rd_make(bstr_ptr(b), n);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = md_rd_u8(&r);
		low[i] = c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
	}
	s->k->tx_str(s->k->ctx, t->id, f, low, n);
	md_free(low);
}

static const bstr *header(const htp_table_t *h, const char *name)
{
	const htp_header_t *x = h ? htp_table_get_c(h, name) : NULL;
	return x ? x->value : NULL;
}

/* Credentials are rule input only, never logged in clear. */
static bool secret_header(const bstr *name)
{
	static const char *const names[] = {
	    "authorization", "proxy-authorization", "cookie", "set-cookie"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!bstr_cmp_c_nocase(name, names[i]))
			return true;
	return false;
}

/* Each header: a "Name: Value" buffer for rules and a {name, value}
 * element for EVE. At most max_items of them. */
static void put_headers(struct http_state *s, struct http_tx *t,
			const htp_table_t *h, int dir)
{
	const struct md_sink *k = s->k;
	unsigned line = dir ? HF_RSP_HEADER : HF_REQ_HEADER;
	unsigned grp = dir ? HF_RSP_HEADERS : HF_REQ_HEADERS;
	size_t n = h ? htp_table_size(h) : 0;
	if (n > s->lim.max_items)
		n = s->lim.max_items;
	for (size_t i = 0; i < n && t->id != MD_TX_NONE; i++) {
		const htp_header_t *x = htp_table_get_index(h, i, NULL);
		if (!x || !x->name || !x->value)
			continue;
		size_t nl = bstr_len(x->name), vl = bstr_len(x->value);
		if (k->wants(k->ctx, line, NULL)) {
			uint8_t *buf = md_malloc(nl + vl + 2);
			if (buf) {
				memcpy(buf, bstr_ptr(x->name), nl);
				memcpy(buf + nl, ": ", 2);
				memcpy(buf + nl + 2, bstr_ptr(x->value), vl);
				k->tx_str(k->ctx, t->id, line, buf,
					  nl + vl + 2);
				md_free(buf);
			}
		}
		k->tx_group(k->ctx, t->id, grp);
		k->tx_str(k->ctx, t->id, grp + 1, bstr_ptr(x->name), nl);
		if (secret_header(x->name))
			k->tx_str(k->ctx, t->id, grp + 2,
				  (const uint8_t *)"(redacted)", 10);
		else
			k->tx_str(k->ctx, t->id, grp + 2, bstr_ptr(x->value),
				  vl);
	}
}

/* SOAP 1.2 media type, or XML that may hold an envelope. */
static bool soap_type(const bstr *ct)
{
	return ct && (bstr_index_of_c_nocase(ct, "application/soap+xml") >= 0 ||
		      bstr_index_of_c_nocase(ct, "text/xml") >= 0 ||
		      bstr_index_of_c_nocase(ct, "application/xml") >= 0);
}

static void body_setup(struct http_state *s, struct http_tx *t, int dir,
		       const bstr *ct)
{
	struct http_body *b = &t->body[dir];
	b->soap = soap_type(ct);
	b->limit = s->lim.max_field;
	if (b->soap) {
		uint32_t soap = s->lim.max_pdu < HTTP_SDC_MAX ? s->lim.max_pdu
							      : HTTP_SDC_MAX;
		b->limit = soap > b->limit ? soap : b->limit;
	}
}

static void request_flags(struct http_state *s, struct http_tx *t,
			  const htp_tx_t *tx)
{
	if (tx->flags & HTP_REQUEST_SMUGGLING)
		http_event(s, t, HE_REQUEST_SMUGGLING);
	if (tx->flags & HTP_REQUEST_INVALID_T_E)
		http_event(s, t, HE_TRANSFER_ENCODING_INVALID);
	if (tx->flags & HTP_REQUEST_INVALID_C_L)
		http_event(s, t, HE_CONTENT_LENGTH_INVALID);
	if (tx->flags & HTP_HOST_MISSING)
		http_event(s, t, HE_MISSING_HOST);
	if (tx->flags & HTP_HOST_AMBIGUOUS)
		http_event(s, t, HE_HOST_AMBIGUOUS);
}

/* ---- libhtp callbacks --------------------------------------------------- */

static int cb_req_start(htp_tx_t *tx)
{
	struct http_state *s = state_of(tx->connp);
	if (!s->k || s->ntx >= s->lim.max_tx)
		return HTP_OK;
	struct http_tx *t = md_calloc(1, sizeof(*t));
	if (!t)
		return HTP_OK;
	t->id = s->k->tx_new(s->k->ctx, MD_DIR_TOSERVER);
	t->sdc = MD_TX_NONE;
	t->next = s->txs;
	if (s->txs)
		s->txs->prev = t;
	s->txs = t;
	s->ntx++;
	htp_tx_set_user_data(tx, t);
	return HTP_OK;
}

static int cb_req_headers(htp_tx_t *tx)
{
	struct http_state *s = state_of(tx->connp);
	struct http_tx *t = htp_tx_get_user_data(tx);
	if (!t || !s->k)
		return HTP_OK;
	const struct md_sink *k = s->k;
	const bstr *ct = header(tx->request_headers, "content-type");
	put_bstr(s, t, HF_METHOD, tx->request_method);
	put_bstr(s, t, HF_URI, tx->request_uri);
	put_bstr(s, t, HF_PROTOCOL, tx->request_protocol);
	put_lower(s, t, HF_HOST, tx->request_hostname);
	if (tx->request_port_number > 0 && t->id != MD_TX_NONE)
		k->tx_uint(k->ctx, t->id, HF_PORT,
			   (uint64_t)tx->request_port_number);
	put_bstr(s, t, HF_USER_AGENT,
		 header(tx->request_headers, "user-agent"));
	put_bstr(s, t, HF_REFERER, header(tx->request_headers, "referer"));
	put_bstr(s, t, HF_XFF, header(tx->request_headers, "x-forwarded-for"));
	put_bstr(s, t, HF_REQ_CT, tx->request_content_type);
	put_bstr(s, t, HF_CONTENT_TYPE, ct);
	put_headers(s, t, tx->request_headers, MD_DIR_TOSERVER);
	request_flags(s, t, tx);
	body_setup(s, t, MD_DIR_TOSERVER, ct);
	return HTP_OK;
}

static int cb_rsp_headers(htp_tx_t *tx)
{
	struct http_state *s = state_of(tx->connp);
	struct http_tx *t = htp_tx_get_user_data(tx);
	if (!t || !s->k)
		return HTP_OK;
	const struct md_sink *k = s->k;
	const bstr *ct = header(tx->response_headers, "content-type");
	if (tx->response_status_number > 0 && t->id != MD_TX_NONE)
		k->tx_uint(k->ctx, t->id, HF_STATUS,
			   (uint64_t)tx->response_status_number);
	put_bstr(s, t, HF_STAT_CODE, tx->response_status);
	put_bstr(s, t, HF_RSP_CT, tx->response_content_type);
	put_bstr(s, t, HF_CONTENT_TYPE, ct);
	put_bstr(s, t, HF_REDIRECT, header(tx->response_headers, "location"));
	put_bstr(s, t, HF_CONTENT_ENCODING,
		 header(tx->response_headers, "content-encoding"));
	put_headers(s, t, tx->response_headers, MD_DIR_TOCLIENT);
	body_setup(s, t, MD_DIR_TOCLIENT, ct);
	return HTP_OK;
}

static int body_data(htp_tx_data_t *d, int dir)
{
	struct http_state *s = state_of(d->tx->connp);
	struct http_tx *t = htp_tx_get_user_data(d->tx);
	if (!t || !s->k || !d->data || !d->len)
		return HTP_OK;
	uint64_t wire = (uint64_t)(dir ? d->tx->response_message_len
				       : d->tx->request_message_len);
	t->body[dir].wire = wire;
	bool coded =
	    dir ? d->tx->response_content_encoding_processing >
		      HTP_COMPRESSION_NONE
		: d->tx->request_content_encoding > HTP_COMPRESSION_NONE;
	return http_body_add(s, t, dir, d->data, d->len, coded ? wire : 0)
		   ? HTP_OK
		   : HTP_ERROR;
}

static int cb_req_body(htp_tx_data_t *d)
{
	return body_data(d, MD_DIR_TOSERVER);
}

static int cb_rsp_body(htp_tx_data_t *d)
{
	return body_data(d, MD_DIR_TOCLIENT);
}

static void tx_release(struct http_state *s, struct http_tx *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		s->txs = t->next;
	if (t->next)
		t->next->prev = t->prev;
	s->ntx--;
	http_body_free(t);
	md_free(t);
}

static int complete(htp_tx_t *tx, int dir)
{
	struct http_state *s = state_of(tx->connp);
	struct http_tx *t = htp_tx_get_user_data(tx);
	if (!t || !s->k || t->done[dir])
		return HTP_OK;
	if (dir && t->id != MD_TX_NONE && tx->response_message_len >= 0)
		s->k->tx_uint(s->k->ctx, t->id, HF_LENGTH,
			      (uint64_t)tx->response_message_len);
	http_body_done(s, t, dir);
	if (t->done[0] && t->done[1]) {
		htp_tx_set_user_data(tx, NULL);
		tx_release(s, t);
	}
	return HTP_OK;
}

static int cb_req_complete(htp_tx_t *tx)
{
	return complete(tx, MD_DIR_TOSERVER);
}

static int cb_rsp_complete(htp_tx_t *tx)
{
	return complete(tx, MD_DIR_TOCLIENT);
}

static int cb_log(htp_log_t *log)
{
	struct http_state *s = log && log->connp ? state_of(log->connp) : NULL;
	int ev = log ? http_log_event(log->msg) : -1;
	if (!s || ev < 0)
		return HTP_OK;
	htp_tx_t *tx = log->tx ? log->tx
		       : s->cur_dir == MD_DIR_TOSERVER
			   ? htp_connp_get_in_tx(s->connp)
			   : htp_connp_get_out_tx(s->connp);
	struct http_tx *t = tx ? htp_tx_get_user_data(tx) : NULL;
	if (ev == HE_DECOMPRESSION_FAILED && t)
		t->body[s->cur_dir].zfail = true; /* decided at the end */
	else
		http_event(s, t, (unsigned)ev);
	return HTP_OK;
}

/* ---- the ops table ----------------------------------------------------------
 */

static htp_cfg_t *config(const struct md_limits *lim)
{
	htp_cfg_t *cfg = htp_config_create();
	if (!cfg)
		return NULL;
	htp_config_set_server_personality(cfg, HTP_SERVER_IDS);
	htp_config_set_response_decompression(cfg, 1);
	htp_config_set_request_decompression(cfg, 1);
	htp_config_set_response_decompression_layer_limit(cfg, HTTP_LAYERS_MAX);
	htp_config_set_compression_bomb_limit(cfg, HTTP_BOMB_LIMIT);
	htp_config_set_compression_time_limit(cfg, HTTP_BOMB_USEC);
	htp_config_set_field_limits(cfg, HTTP_FIELD_SOFT, HTTP_FIELD_HARD);
	htp_config_set_number_headers_limit(cfg, lim->max_items);
	htp_config_set_parse_request_cookies(cfg, 0);
	htp_config_set_parse_request_auth(cfg, 0);
	htp_config_set_tx_auto_destroy(cfg, 1);
	htp_config_register_log(cfg, cb_log);
	htp_config_register_request_start(cfg, cb_req_start);
	htp_config_register_request_headers(cfg, cb_req_headers);
	htp_config_register_request_body_data(cfg, cb_req_body);
	htp_config_register_request_complete(cfg, cb_req_complete);
	htp_config_register_response_headers(cfg, cb_rsp_headers);
	htp_config_register_response_body_data(cfg, cb_rsp_body);
	htp_config_register_response_complete(cfg, cb_rsp_complete);
	return cfg;
}

static void http_fini(void *state);

static int http_init(void *state, const struct md_limits *lim)
{
	struct http_state *s = state;
	s->lim = *lim;
	s->cfg = config(lim);
	s->connp = s->cfg ? htp_connp_create(s->cfg) : NULL;
	if (!s->connp) {
		http_fini(s);
		return MD_E_NOMEM;
	}
	htp_connp_set_user_data(s->connp, s);
	htp_time_t ts = zero_ts;
	htp_connp_open(s->connp, NULL, 0, NULL, 0, &ts);
	return 0;
}

/* libhtp keeps every log message in the connection: free them as they
 * come, so a long connection does not grow (they were handled by cb_log). */
static void drain_log(struct http_state *s)
{
	htp_conn_t *conn = htp_connp_get_connection(s->connp);
	if (!conn || !conn->messages)
		return;
	for (size_t i = 0, n = htp_list_size(conn->messages); i < n; i++) {
		htp_log_t *l = htp_list_get(conn->messages, i);
		if (l) {
			free((void *)l->msg);
			free(l);
		}
	}
	htp_list_clear(conn->messages);
}

static void stopped(struct http_state *s, int dir, int rc)
{
	s->dead[dir] = true;
	if (rc == HTP_STREAM_ERROR)
		http_event(s, NULL, HE_PARSE_ERROR);
}

static enum md_parse_rc http_parse(void *state, enum md_dir dir,
				   const uint8_t *buf, size_t len,
				   size_t *consumed, const struct md_sink *sink)
{
	struct http_state *s = state;
	*consumed = len;
	if (s->dead[dir] || !len)
		return MD_PARSE_OK;
	s->k = sink;
	s->cur_dir = dir;
	int rc = dir == MD_DIR_TOSERVER
		     ? htp_connp_req_data(s->connp, &zero_ts, buf, len)
		     : htp_connp_res_data(s->connp, &zero_ts, buf, len);
	enum md_parse_rc out = MD_PARSE_OK;
	if (rc == HTP_STREAM_DATA_OTHER) {
		size_t used = dir == MD_DIR_TOSERVER
				  ? htp_connp_req_data_consumed(s->connp)
				  : htp_connp_res_data_consumed(s->connp);
		*consumed = used < len ? used : len;
		out = MD_PARSE_MORE;
	} else if (rc == HTP_STREAM_ERROR || rc == HTP_STREAM_TUNNEL ||
		   rc == HTP_STREAM_STOP || rc == HTP_STREAM_CLOSED) {
		stopped(s, dir, rc);
	}
	drain_log(s);
	s->k = NULL;
	return out;
}

/* Lost bytes: libhtp skips them inside a body (the body is then
 * incomplete) and stops the direction elsewhere. */
static void http_gap(void *state, enum md_dir dir, uint64_t len,
		     const struct md_sink *sink)
{
	struct http_state *s = state;
	if (s->dead[dir])
		return;
	s->k = sink;
	s->cur_dir = dir;
	while (len && !s->dead[dir]) {
		size_t n = len > (1u << 30) ? (1u << 30) : (size_t)len;
		int rc = dir == MD_DIR_TOSERVER
			     ? htp_connp_req_data(s->connp, &zero_ts, NULL, n)
			     : htp_connp_res_data(s->connp, &zero_ts, NULL, n);
		if (rc != HTP_STREAM_DATA)
			s->dead[dir] = true;
		len -= n;
	}
	drain_log(s);
	s->k = NULL;
}

static void http_eof(void *state, enum md_dir dir, const struct md_sink *sink)
{
	struct http_state *s = state;
	s->k = sink;
	s->cur_dir = dir;
	if (dir == MD_DIR_TOSERVER)
		htp_connp_req_close(s->connp, &zero_ts);
	else
		htp_connp_close(s->connp, &zero_ts);
	drain_log(s);
	s->k = NULL;
}

static void http_fini(void *state)
{
	struct http_state *s = state;
	while (s->txs)
		tx_release(s, s->txs);
	if (s->connp)
		htp_connp_destroy_all(s->connp);
	if (s->cfg)
		htp_config_destroy(s->cfg);
	s->connp = s->cfg = NULL;
}

static const uint16_t http_ports[] = {80, 8080, 8042, 8000, 8008, 8081, 0};

const struct md_parser md_parser_http = {
    .abi = MD_PARSER_ABI,
    .name = "http",
    .desc = "HTTP/1.x through libhtp (RFC 9112): DICOMweb, FHIR, SDC SOAP",
    .ipproto = 6,
    .ports = http_ports,
    .state_size = sizeof(struct http_state),
    .tx_done_progress = HTTP_PROG_DONE,
    .probe = http_probe,
    .init = http_init,
    .parse = http_parse,
    .gap = http_gap,
    .eof = http_eof,
    .fini = http_fini,
    .events = http_events,
    .n_events = HE_MAX,
    .fields = http_fields,
    .n_fields = HF_MAX,
};

static const struct md_parser *const http_parsers[] = {&md_parser_http, NULL};

/* Registered as a built-in plugin (plugin/registry.c). */
const struct md_plugin md_plugin_http = {
    .abi = MD_PARSER_ABI,
    .name = "http",
    .version = "built-in",
    .desc = "HTTP/1.x through libhtp",
    .parsers = http_parsers,
};
