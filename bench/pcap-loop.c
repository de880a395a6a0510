/* pcap-loop.c - the replay baseline: read a capture, touch nothing.
 *
 * A bare libpcap read loop (pcap_open_offline + pcap_next_ex) that counts
 * packets and captured bytes and prints them with the elapsed time. It is
 * the floor for medids' pcap replay: bench/replay divides medids' time by
 * this loop's time over the same file in the same invocation.
 *
 * Usage: pcap-loop FILE
 * Output: "<packets> packets <bytes> bytes <seconds> s"; exit 0, or 1 on
 * an unreadable file (message on stderr).
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t pkts = 0, bytes = 0;
	pcap_t *p;
	double t0;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	t0 = now();
	p = pcap_open_offline(argv[1], errbuf);
	if (p == NULL) {
		fprintf(stderr, "pcap-loop: %s\n", errbuf);
		return 1;
	}
	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		pkts++;
		bytes += hdr->caplen;
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "pcap-loop: %s: %s\n", argv[1], pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	printf("%llu packets %llu bytes %.3f s\n", (unsigned long long)pkts,
	       (unsigned long long)bytes, now() - t0);
	return 0;
}
