/* nfq-accept.c - the floor any NFQUEUE consumer faces: accept every packet
 * of queue N as fast as possible, tuned the way medids is (copy mode,
 * NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN, an 8 MiB netlink receive buffer,
 * NETLINK_NO_ENOBUFS, batched verdicts), with no inspection at all.
 * bench/inline compares medids against it.
 *
 * Usage: nfq-accept QUEUE   (until SIGINT/SIGTERM; prints packets seen)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#define BATCH 64

static volatile sig_atomic_t stop;
static unsigned long long seen;
static uint32_t batch_id, batch_n;

static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

static int cb(struct nfq_q_handle *qh, struct nfgenmsg *m, struct nfq_data *nfa,
	      void *data)
{
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	unsigned char *pl;
	(void)m;
	(void)data;
	if (!ph)
		return 0;
	(void)nfq_get_payload(nfa, &pl); /* copied, as a real consumer has */
	seen++;
	batch_id = ntohl(ph->packet_id);
	if (++batch_n >= BATCH) {
		nfq_set_verdict_batch(qh, batch_id, NF_ACCEPT);
		batch_n = 0;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[256 * 1024];
	int one = 1, sz = 8 << 20;
	uint32_t fl = NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN;
	if (argc != 2) {
		fprintf(stderr, "usage: nfq-accept QUEUE\n");
		return 2;
	}
	struct nfq_handle *h = nfq_open();
	struct nfq_q_handle *qh =
	    h ? nfq_create_queue(h, (uint16_t)atoi(argv[1]), cb, NULL) : NULL;
	if (!qh || nfq_set_mode(qh, NFQNL_COPY_PACKET, 0xffff) < 0) {
		perror("nfq-accept: queue");
		return 1;
	}
	nfq_set_queue_maxlen(qh, 4096);
	nfq_set_queue_flags(qh, fl, fl);
	int fd = nfq_fd(h);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		nfnl_rcvbufsiz(nfq_nfnlh(h), (unsigned)sz);
	setsockopt(fd, 270 /* SOL_NETLINK */, 5 /* NETLINK_NO_ENOBUFS */, &one,
		   sizeof(one));
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	while (!stop) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		for (int i = 0; i < 256; i++) {
			ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (r < 0) {
				if (errno == ENOBUFS)
					continue;
				break;
			}
			nfq_handle_packet(h, buf, (int)r);
		}
		if (batch_n) {
			nfq_set_verdict_batch(qh, batch_id, NF_ACCEPT);
			batch_n = 0;
		}
	}
	nfq_destroy_queue(qh);
	nfq_close(h);
	printf("nfq-accept: %llu packets\n", seen);
	return 0;
}
