/*
 * stall_probe: how much of the time this machine takes away from a running
 * thread. One thread reads CLOCK_MONOTONIC in a loop for S seconds (default
 * 3) and counts the gaps between two reads longer than 50 µs and 500 µs,
 * their total and the longest. On an idle machine every gap is the host's
 * (a vCPU descheduled by the hypervisor) or the kernel's (interrupts); no
 * server can answer faster than the machine lets it run, so
 * tools/bench_predict.sh prints this next to its latency tails.
 *
 *   stall_probe [seconds]   ->  {"seconds":3.0,"gaps_over_50us":174,...}
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 3;
    if (seconds <= 0) { fprintf(stderr, "usage: stall_probe [seconds]\n"); return 2; }
    uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9), last = start, lost = 0, longest = 0;
    uint64_t over50 = 0, over500 = 0;
    for (uint64_t t; (t = now_ns()) < end; last = t) {
        uint64_t gap = t - last;
        if (gap > longest) longest = gap;
        if (gap > 50000) { over50++; lost += gap; }
        if (gap > 500000) over500++;
    }
    printf("{\"seconds\":%.1f,\"gaps_over_50us\":%llu,\"gaps_over_500us\":%llu,\"lost_ms\":%.1f,\"longest_us\":%.0f}\n",
           seconds, (unsigned long long)over50, (unsigned long long)over500, lost / 1e6, longest / 1e3);
    return 0;
}
