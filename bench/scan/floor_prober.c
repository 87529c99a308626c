// The floor a ClientHello probe is measured against in bench/scan/run.sh: the least a
// prober can do. One prebuilt TLS 1.3 ClientHello (SNI bench.test, X25519 key share, built
// once), sent on N nonblocking connections, C in flight (epoll); a probe ends at the first
// bytes of the server's answer and closes with RST (SO_LINGER 0). No TLS library, no
// per-probe work beyond the syscalls. Prints "<done> probes" on stderr.
// Usage: floor_prober IP PORT N C
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static unsigned char hello[512];
static size_t hello_len;

static void put8(unsigned v) { hello[hello_len++] = (unsigned char)v; }
static void put16(unsigned v) { put8(v >> 8); put8(v & 0xff); }
static void put_bytes(const void* p, size_t n) { memcpy(hello + hello_len, p, n); hello_len += n; }
static void patch16(size_t at, size_t v) { hello[at] = (unsigned char)(v >> 8); hello[at + 1] = (unsigned char)v; }
static void patch24(size_t at, size_t v) { hello[at] = 0; patch16(at + 1, v); }

static void build_hello(void) {
    static const char name[] = "bench.test";
    put8(22); put16(0x0301); put16(0);            // record header, length patched
    put8(1); put8(0); put16(0);                    // handshake header, length patched
    put16(0x0303);
    for (int i = 0; i < 32; i++) put8(i * 7 + 1);  // random
    put8(32);
    for (int i = 0; i < 32; i++) put8(i * 3 + 2);  // legacy session id
    put16(6); put16(0x1301); put16(0x1302); put16(0x1303);
    put8(1); put8(0);                              // null compression
    size_t ext_at = hello_len; put16(0);
    size_t n = strlen(name);                       // server_name
    put16(0x0000); put16(n + 5); put16(n + 3); put8(0); put16(n); put_bytes(name, n);
    put16(0x000a); put16(4); put16(2); put16(0x001d);             // supported_groups: x25519
    put16(0x000d); put16(8); put16(6); put16(0x0403); put16(0x0804); put16(0x0401);
    put16(0x002b); put16(3); put8(2); put16(0x0304);              // supported_versions: 1.3
    put16(0x0033); put16(38); put16(36); put16(0x001d); put16(32);  // key_share
    for (int i = 0; i < 32; i++) put8(i * 5 + 9);
    patch16(ext_at, hello_len - ext_at - 2);
    patch24(6, hello_len - 9);
    patch16(3, hello_len - 5);
}

int main(int argc, char** argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s IP PORT N C\n", argv[0]); return 2; }
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) { fprintf(stderr, "bad IP\n"); return 2; }
    long total = atol(argv[3]), window = atol(argv[4]);
    if (total < 1 || total > 1000000 || window < 1 || window > 10000) { fprintf(stderr, "bad N/C\n"); return 2; }
    build_hello();
    int ep = epoll_create1(0);
    struct linger rst = {1, 0};
    long started = 0, finished = 0, ok = 0, in_flight = 0;
    unsigned char buf[4096];
    struct epoll_event events[256];
    struct timespec t0; clock_gettime(CLOCK_MONOTONIC, &t0);
    while (finished < total) {
        while (in_flight < window && started < total) {
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd < 0) { perror("socket"); return 3; }
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof rst);
            if (connect(fd, (struct sockaddr*)&to, sizeof to) < 0 && errno != EINPROGRESS) {
                close(fd); finished++; started++; continue;
            }
            // Writable = connected: send the hello then; readable = the server answered.
            struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLONESHOT, .data.fd = fd};
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
            started++; in_flight++;
        }
        struct timespec now; clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - t0.tv_sec > 120) { fprintf(stderr, "time limit\n"); break; }  // bounded
        int n = epoll_wait(ep, events, 256, 1000);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            int done = 0;
            if (events[i].events & (EPOLLERR | EPOLLHUP)) {
                done = 1;
            } else if (events[i].events & EPOLLIN) {
                ssize_t got = read(fd, buf, sizeof buf);
                if (got > 0 && buf[0] == 22) ok++;
                done = 1;
            } else if (events[i].events & EPOLLOUT) {
                if (write(fd, hello, hello_len) != (ssize_t)hello_len) {
                    done = 1;
                } else {
                    struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.fd = fd};
                    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
                }
            }
            if (done) { close(fd); finished++; in_flight--; }
        }
    }
    fprintf(stderr, "%ld probes, %ld server hellos\n", finished, ok);
    return ok == total ? 0 : 1;
}
