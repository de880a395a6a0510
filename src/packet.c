/* packet.c - packet helpers. */
#include "packet.h"

#include "mem.h"

void md_packet_release(struct md_packet *p)
{
	md_free(p->owned);
	p->owned = NULL;
}
