#pragma once
// What the kernel says about a process: CPU time (utime + stime over all its threads) from
// /proc/<pid>/stat and memory (VmRSS, VmHWM) from /proc/<pid>/status. The load generator reads
// the server's numbers at the edges of each measured phase, and its own.

#include <sys/types.h>

#include <optional>
#include <string>

namespace sio::bench {

struct ProcSample {
  double cpu_seconds = 0;  // user + system, all threads
  long rss_kb = 0;         // VmRSS
  long hwm_kb = 0;         // VmHWM: peak RSS since start
};

// nullopt when the process is gone or /proc is unreadable.
std::optional<ProcSample> sample_process(pid_t pid);

// This process's CPU time (getrusage), for the load generator's own share.
double self_cpu_seconds();

// The 1-minute load average of the machine.
double load_average();

}  // namespace sio::bench
