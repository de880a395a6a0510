/* rr-ping.c - small request/response round trips over one TCP connection,
 * for latency through an inline path (bench/inline).
 *
 * Usage: rr-ping server PORT
 *        rr-ping client HOST PORT COUNT [SIZE]
 * The client sends SIZE bytes (default 64), waits for the server's echo,
 * COUNT times (TCP_NODELAY), then prints the p50, p99 and mean round trip
 * in microseconds: "rr-ping: n=COUNT p50=.. p99=.. mean=.. us".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int full(int fd, char *b, size_t n, int wr)
{
	size_t d = 0;
	while (d < n) {
		ssize_t r =
		    wr ? write(fd, b + d, n - d) : read(fd, b + d, n - d);
		if (r <= 0)
			return -1;
		d += (size_t)r;
	}
	return 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int server(int port)
{
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port)};
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4)) {
		perror("rr-ping: bind");
		return 1;
	}
	for (;;) {
		int c = accept(s, NULL, NULL);
		char b[65536];
		if (c < 0)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		ssize_t r;
		while ((r = read(c, b, sizeof(b))) > 0)
			if (full(c, b, (size_t)r, 1))
				break;
		close(c);
	}
}

static int client(const char *host, int port, int n, int size)
{
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port)};
	char b[65536];
	double *rtt = calloc((size_t)n, sizeof(double)), sum = 0;
	if (!rtt || size < 1 || size > (int)sizeof(b) || n < 1 ||
	    inet_pton(AF_INET, host, &a.sin_addr) != 1 ||
	    connect(s, (struct sockaddr *)&a, sizeof(a))) {
		perror("rr-ping: connect");
		return 1;
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(b, 'x', (size_t)size);
	for (int i = 0; i < n; i++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (full(s, b, (size_t)size, 1) ||
		    full(s, b, (size_t)size, 0)) {
			fprintf(stderr, "rr-ping: connection lost\n");
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		rtt[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e6 +
			 (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
		sum += rtt[i];
	}
	qsort(rtt, (size_t)n, sizeof(double), cmp);
	printf("rr-ping: n=%d p50=%.1f p99=%.1f mean=%.1f us\n", n, rtt[n / 2],
	       rtt[(n * 99) / 100], sum / n);
	free(rtt);
	close(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		return server(atoi(argv[2]));
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "client"))
		return client(argv[2], atoi(argv[3]), atoi(argv[4]),
			      argc == 6 ? atoi(argv[5]) : 64);
	fprintf(stderr, "usage: rr-ping server PORT | rr-ping client HOST "
			"PORT COUNT [SIZE]\n");
	return 2;
}
