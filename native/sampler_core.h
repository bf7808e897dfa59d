// The native sampler's core, free of Node-API: a table of kept-open /proc files ("slots"), a
// thread that wakes on an absolute CLOCK_MONOTONIC deadline and reads them with pread, and the
// buffer of sample records JavaScript drains (record format: native/record_format.h).
//
// Which files a pass reads mirrors src/engine/sampler/passPlan.ts and threadReading.ts, so the
// records hold what the JavaScript tree sampler would have read at that instant; JavaScript then
// replays them through the same accounting. Discovery (new threads, children) stays in JavaScript.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace corescope {

// Roles, numbered as src/engine/sampler/nativeAddon.ts numbers them.
enum Role : int {
  kCpuStat = 0,        // /proc/stat: every pass (only the cpu lines are kept)
  kLoadavg = 1,        // /proc/loadavg: every pass; its last field (newest pid) says "created"
  kProcessStat = 2,    // a workload process's stat line: on refresh passes, after an exit, or when it moved and a pid was taken
  kKeeperStat = 3,     // the keeper's stat line: every pass
  kKeeperChildren = 4, // the keeper's main-thread children file: every pass
  kTaskSchedstat = 5,  // a thread's schedstat: every pass
  kTaskStat = 6,       // a thread's stat line: when it ran since its last read and the pass refreshes, on slow passes
  kRoleCount = 7,
};

struct Schedule {
  int64_t periodNs = 50'000'000;
  uint32_t slowEvery = 20;
  uint32_t statEvery = 5;
  /** The pass number of the first native pass (JavaScript took the ones before). */
  uint32_t firstPass = 1;
  /** Records not drained beyond this many bytes are not kept (JavaScript stalled): counted as dropped. */
  size_t maxPendingBytes = 64u << 20;
};

class SamplerCore : public std::enable_shared_from_this<SamplerCore> {
 public:
  SamplerCore() = default;
  ~SamplerCore();
  SamplerCore(const SamplerCore&) = delete;
  SamplerCore& operator=(const SamplerCore&) = delete;

  /** Opens `path` and follows it in `role`; the slot id, or -errno when it cannot be opened. */
  int add(const std::string& path, int role, int pid, int tid);
  /** Stops following a slot and closes its descriptor. Once this returns, the thread no longer reads it. */
  void drop(int slot);
  /** Stops sampling and closes every descriptor at once (the run's end: one call, not one drop per file). */
  void closeAll();
  /** Reads a slot now (whole file); false when it is gone or closed. */
  bool readNow(int slot, std::vector<uint8_t>& out);
  /**
   * Starts the sampling thread; false when it could not be started. `wake` is called (on the
   * sampling thread, outside the lock) after a pass in which a pid was taken or a followed file
   * was found gone: the tree may have changed, and JavaScript, which discovers and settles exits,
   * should replay now rather than at its next drain — a thread it finds is then read within a
   * pass of its birth, and a parent's reaped CPU at the exit, as the JavaScript sampler reads
   * them. Between such passes every file JavaScript reads is in the records, so a drain may come
   * late (up to a second when nobody watches the run live) without moving any reading in time.
   * `done` is called once, by stop() on the caller's thread (never by the sampling thread, which
   * may outlive the JavaScript environment by a period).
   */
  bool start(const Schedule& schedule, std::function<void()> wake = nullptr, std::function<void()> done = nullptr);
  /** No pass starts (and no wake-up is sent) after this returns; the thread exits at its next wake-up. */
  /** `releaseWake` false: the JavaScript environment is going away, and releasing into it is not safe. */
  void stop(bool releaseWake = true);
  /**
   * Moves the records taken since the last drain into `out`; returns samples dropped since the
   * start. `out`'s own storage (cleared) becomes the next records' buffer: a caller that drains
   * into the same vector each time lets the two buffers take turns, so the thread does not grow a
   * fresh one after every drain (a megabyte a second at 2,000 threads, page faults included).
   */
  uint64_t drain(std::vector<uint8_t>& out);
  /** The vector the addon drains into, kept from drain to drain (JavaScript's thread only, outside the lock). */
  std::vector<uint8_t>& drainBuffer() { return drainBuffer_; }
  /** The sampling thread's kernel tid (0 before it started). */
  int threadTid() const { return tid_.load(); }

 private:
  struct Slot {
    int fd = -1;
    int role = 0;
    int pid = 0;
    int tid = 0;
  };
  struct ThreadFiles {
    int tid = 0;
    int sched = -1;
    int stat = -1;
    /** Ran since its stat line was last read (threadReading.ts: ticksStale). */
    bool stale = true;
    bool dead = false;
    uint8_t lastLen = 0;
    char last[64] = {0};
  };
  struct ProcessFiles {
    int stat = -1;
    int children = -1;
    bool keeper = false;
    bool dead = false;
    std::vector<ThreadFiles> threads;
  };

  static void* threadMain(void* arg);
  void loop();
  /** One pass; true when a pid was taken since the previous one or a followed file was found gone. */
  bool pass(int64_t tNs, int64_t deadlineNs);
  void sampleProcess(ProcessFiles& p, bool slow, bool refresh, bool created, bool exitedLately);
  /** Reads a slot into scratch_ and appends its entry; the bytes read (0: empty), or -1 when gone. */
  long readEntry(int slot);
  /** Reads a slot into scratch_ (no entry yet); the bytes read, or -1 when gone. */
  long readSlot(int slot);
  /** Appends the entry of the slot just read into scratch_ (`n`: what readSlot returned). */
  void appendRead(int slot, long n);
  void closeSlot(int slot);
  ThreadFiles* threadOf(int pid, int tid, bool create);

  std::mutex mu_;
  std::vector<Slot> slots_;
  std::vector<int> globals_;
  /** Workload processes and the keeper by pid, in the order they were added (parents first). */
  std::vector<int> order_;
  std::unordered_map<int, ProcessFiles> procs_;
  std::vector<uint8_t> pending_;
  std::vector<uint8_t> drainBuffer_;
  std::vector<uint8_t> scratch_ = std::vector<uint8_t>(64 * 1024);
  Schedule schedule_;
  uint32_t pass_ = 0;
  /** Entries appended to the record being written. */
  uint32_t entries_ = 0;
  int64_t lastPid_ = -2;
  int64_t lastExitPass_ = INT32_MIN;
  uint64_t dropped_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> tid_{0};
  bool started_ = false;
  std::function<void()> wake_;
  std::function<void()> done_;
  /** Holds the core alive while the detached thread runs; released by the thread as it exits. */
  std::shared_ptr<SamplerCore> self_;
};

}  // namespace corescope
