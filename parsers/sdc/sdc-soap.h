/* sdc-soap.h - SDC facts from SOAP 1.2 envelopes carried in HTTP bodies.
 *
 * IEEE 11073-20701/20702 (SDC, MDPWS/DPWS) sends SOAP 1.2 envelopes over
 * HTTP POST. The HTTP parser (parsers/http/) owns the HTTP exchange: for
 * each body that holds a SOAP envelope (Content-Type application/soap+xml,
 * or text/xml / application/xml starting with an Envelope) it opens, once
 * per exchange, an "sdc" companion transaction with
 * sink->tx_new_as(ctx, dir, "sdc"), hands each decoded body (after
 * dechunking and gzip/deflate decoding) to md_sdc_soap(), and raises the
 * transaction's progress to MD_SDC_TX_DONE in a direction once that
 * direction's message is complete. The sdc module (parsers/sdc/) owns
 * everything about the XML: it reads it with libxml2's streaming reader
 * (no network, no DTD loading, no entity expansion, a size bound) and
 * reports sdc fields and events on that transaction.
 */
#ifndef MD_SDC_SOAP_H
#define MD_SDC_SOAP_H

#include <stddef.h>
#include <stdint.h>

#include "md-parser.h"

/* Progress of an sdc transaction meaning "this direction's message is
 * complete" (the sdc parser's tx_done_progress). */
#define MD_SDC_TX_DONE 1

/* Report the SDC facts of one SOAP message `body` (len bytes, decoded)
 * sent in direction dir on sdc transaction tx (MD_TX_NONE: events only,
 * on the flow). Raises sdc events (malformed SOAP, XML limits exceeded,
 * ...) on tx. Does not raise progress. lim bounds sizes (max_pdu: the
 * largest envelope read; max_items: elements; max_field: one value).
 * Returns 0, or MD_E_INVAL when the body is not a SOAP envelope (an event
 * was raised), MD_E_LIMIT when a bound stopped the reading. Borrows body
 * for the call only. Thread-safe. */
int md_sdc_soap(const uint8_t *body, size_t len, enum md_dir dir, uint64_t tx,
		const struct md_sink *sink, const struct md_limits *lim);

#endif
