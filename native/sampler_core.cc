// The native sampler's thread and its slot table (see sampler_core.h).
#include "sampler_core.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

#include "record_format.h"

namespace corescope {

namespace {

int64_t monotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

timespec toTimespec(int64_t ns) {
  timespec ts;
  ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  return ts;
}

/** A read this long may have stopped at a seq_file page boundary: read on (as procFile.ts does). */
constexpr long kMaybePartial = 2048;
constexpr size_t kMaxFileBytes = 16u << 20;

/** The whole file from offset 0 into `buf` (grown as needed); bytes read (0: empty), or -1 when it is gone. */
long preadWhole(int fd, std::vector<uint8_t>& buf) {
  long total = 0;
  for (;;) {
    const ssize_t n = pread(fd, buf.data() + total, buf.size() - total, total);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    total += n;
    if (n < kMaybePartial || buf.size() >= kMaxFileBytes) break;
    if (static_cast<size_t>(total) == buf.size()) buf.resize(buf.size() * 2);
  }
  return total;
}

/** The last field of /proc/loadavg ("0.1 0.2 0.3 1/234 5678"): the newest pid; -1 when unreadable. */
int64_t lastPidOf(const uint8_t* b, long n) {
  long end = n;
  while (end > 0 && (b[end - 1] == '\n' || b[end - 1] == ' ')) end--;
  long start = end;
  while (start > 0 && b[start - 1] >= '0' && b[start - 1] <= '9') start--;
  if (start == end) return -1;
  int64_t v = 0;
  for (long i = start; i < end; i++) v = v * 10 + (b[i] - '0');
  return v;
}

/** /proc/stat up to its "intr" line: the cpu lines are all JavaScript reads (coreSampler.ts). */
long cpuLinesLength(const uint8_t* b, long n) {
  static const char kIntr[] = "\nintr";
  const void* at = memmem(b, static_cast<size_t>(n), kIntr, sizeof kIntr - 1);
  return at ? static_cast<const uint8_t*>(at) - b : n;
}

}  // namespace

SamplerCore::~SamplerCore() {
  for (auto& s : slots_)
    if (s.fd >= 0) close(s.fd);
}

int SamplerCore::add(const std::string& path, int role, int pid, int tid) {
  if (role < 0 || role >= kRoleCount) return -EINVAL;
  // Opened outside the lock: an open of /proc can take a while and the thread must not wait on it.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  std::lock_guard<std::mutex> lock(mu_);
  const int slot = static_cast<int>(slots_.size());
  slots_.push_back(Slot{fd, role, pid, tid});
  if (role == kCpuStat || role == kLoadavg) {
    globals_.push_back(slot);
    return slot;
  }
  auto found = procs_.find(pid);
  if (found == procs_.end()) {
    order_.push_back(pid);
    found = procs_.emplace(pid, ProcessFiles{}).first;
  }
  ProcessFiles& p = found->second;
  // A pid reused by a new process of the tree: follow the new one from scratch.
  if (p.dead) p = ProcessFiles{};
  switch (role) {
    case kProcessStat: p.stat = slot; break;
    case kKeeperStat: p.stat = slot; p.keeper = true; break;
    case kKeeperChildren: p.children = slot; p.keeper = true; break;
    case kTaskSchedstat: threadOf(pid, tid, true)->sched = slot; break;
    case kTaskStat: threadOf(pid, tid, true)->stat = slot; break;
    default: break;
  }
  return slot;
}

SamplerCore::ThreadFiles* SamplerCore::threadOf(int pid, int tid, bool create) {
  auto found = procs_.find(pid);
  if (found == procs_.end()) return nullptr;
  for (auto& th : found->second.threads)
    if (th.tid == tid) return &th;
  if (!create) return nullptr;
  found->second.threads.push_back(ThreadFiles{});
  found->second.threads.back().tid = tid;
  return &found->second.threads.back();
}

void SamplerCore::drop(int slot) {
  std::lock_guard<std::mutex> lock(mu_);
  if (slot < 0 || static_cast<size_t>(slot) >= slots_.size()) return;
  const Slot s = slots_[slot];
  closeSlot(slot);
  auto found = procs_.find(s.pid);
  if (found == procs_.end()) return;
  ProcessFiles& p = found->second;
  if (p.stat == slot) p.stat = -1;
  if (p.children == slot) p.children = -1;
  for (size_t i = 0; i < p.threads.size(); i++) {
    ThreadFiles& th = p.threads[i];
    if (th.sched == slot) th.sched = -1;
    if (th.stat == slot) th.stat = -1;
    if (th.sched < 0 && th.stat < 0) {
      p.threads.erase(p.threads.begin() + static_cast<long>(i));
      break;
    }
  }
  if (p.stat < 0 && p.children < 0 && p.threads.empty()) {
    procs_.erase(found);
    for (size_t i = 0; i < order_.size(); i++)
      if (order_[i] == s.pid) {
        order_.erase(order_.begin() + static_cast<long>(i));
        break;
      }
  }
}

void SamplerCore::closeAll() {
  std::lock_guard<std::mutex> lock(mu_);
  // Under the lock, as stop() does: the thread checks stopping_ under it before any pass.
  stopping_.store(true);
  for (size_t i = 0; i < slots_.size(); i++) closeSlot(static_cast<int>(i));
  globals_.clear();
  order_.clear();
  procs_.clear();
}

void SamplerCore::closeSlot(int slot) {
  Slot& s = slots_[slot];
  if (s.fd >= 0) close(s.fd);
  s.fd = -1;
}

bool SamplerCore::readNow(int slot, std::vector<uint8_t>& out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (slot < 0 || static_cast<size_t>(slot) >= slots_.size() || slots_[slot].fd < 0) return false;
  out.resize(4096);
  const long n = preadWhole(slots_[slot].fd, out);
  if (n < 0) return false;
  out.resize(static_cast<size_t>(slots_[slot].role == kCpuStat ? cpuLinesLength(out.data(), n) : n));
  return true;
}

bool SamplerCore::start(const Schedule& schedule, std::function<void()> wake, std::function<void()> done) {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return false;
  schedule_ = schedule;
  wake_ = std::move(wake);
  done_ = std::move(done);
  if (schedule_.periodNs <= 0 || schedule_.slowEvery == 0 || schedule_.statEvery == 0) return false;
  pass_ = schedule_.firstPass - 1;
  self_ = shared_from_this();
  pthread_t thread;
  if (pthread_create(&thread, nullptr, &SamplerCore::threadMain, this) != 0) {
    self_.reset();
    return false;
  }
  pthread_detach(thread);
  started_ = true;
  return true;
}

void SamplerCore::stop(bool releaseWake) {
  std::function<void()> release;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_.store(true);
    wake_ = nullptr;
    release = std::move(done_);
    done_ = nullptr;
  }
  // On the caller's (JavaScript's) thread, while its environment is alive: the sampling thread
  // may outlive it by one period, and must not touch Node then.
  if (release && releaseWake) release();
}

uint64_t SamplerCore::drain(std::vector<uint8_t>& out) {
  std::lock_guard<std::mutex> lock(mu_);
  out.swap(pending_);
  pending_.clear();  // keeps the capacity `out` had
  return dropped_;
}

void* SamplerCore::threadMain(void* arg) {
  auto* core = static_cast<SamplerCore*>(arg);
  std::shared_ptr<SamplerCore> keep;
  {
    std::lock_guard<std::mutex> lock(core->mu_);
    keep = std::move(core->self_);
  }
  core->loop();
  return nullptr;
}

void SamplerCore::loop() {
  tid_.store(static_cast<int>(syscall(SYS_gettid)));
  pthread_setname_np(pthread_self(), "corescope-smp");
  // The default 50 µs timer slack would be most of the jitter budget at 100 Hz.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  const int64_t period = schedule_.periodNs;
  int64_t deadline = monotonicNs() + period;
  while (!stopping_.load()) {
    const timespec ts = toTimespec(deadline);
    // Absolute: a late wake-up does not push the following ones later.
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
    }
    const int64_t t = monotonicNs();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_.load()) break;
      // Under the lock: stop() takes the wake-up away (and releases it) under the same lock, so
      // it is never called once released.
      if (pass(t, deadline) && wake_) wake_();
    }
    deadline += period;
    // Fell behind by more than a period (a stalled machine): resume from now, without a burst (as run.ts does).
    const int64_t now = monotonicNs();
    if (deadline < now) deadline = now + period;
  }
}

bool SamplerCore::pass(int64_t tNs, int64_t deadlineNs) {
  pass_++;
  if (pending_.size() > schedule_.maxPendingBytes) {
    dropped_++;
    return false;
  }
  const uint32_t p = pass_;
  // The plan of passPlan.ts, from the same pass number.
  const bool slow = (p - 1) % schedule_.slowEvery == 0;
  const bool refresh = slow || (p - 1) % schedule_.statEvery == 0;
  const size_t start = pending_.size();
  pending_.resize(start + kRecordHeaderBytes);
  entries_ = 0;
  bool created = true;
  bool taken = false;
  for (int slot : globals_) {
    const long n = readEntry(slot);
    if (slots_[slot].role == kLoadavg) {
      const int64_t pid = n > 0 ? lastPidOf(scratch_.data(), n) : -1;
      created = pid < 0 || pid != lastPid_;
      // Only a pid seen to move wakes JavaScript (an unreadable loadavg would wake it every pass).
      taken = pid >= 0 && pid != lastPid_;
      lastPid_ = pid;
    }
  }
  const bool exitedLately = static_cast<int64_t>(p) - lastExitPass_ <= static_cast<int64_t>(schedule_.statEvery);
  for (int pid : order_) {
    ProcessFiles& proc = procs_[pid];
    if (proc.dead) continue;
    sampleProcess(proc, slow, refresh, created, exitedLately);
  }
  putU32(pending_, start, static_cast<uint32_t>(pending_.size() - start));
  putU32(pending_, start + 4, p);
  const double t = static_cast<double>(tNs);
  const double d = static_cast<double>(deadlineNs);
  std::memcpy(pending_.data() + start + 8, &t, 8);
  std::memcpy(pending_.data() + start + 16, &d, 8);
  putU32(pending_, start + 24, entries_);
  putU32(pending_, start + 28, 0);
  // lastExitPass_ is this pass when anything was found gone in it (the keeper, a process, a thread).
  return taken || lastExitPass_ == static_cast<int64_t>(p);
}

void SamplerCore::sampleProcess(ProcessFiles& proc, bool slow, bool refresh, bool created, bool exitedLately) {
  if (proc.keeper) {
    // Only the keeper's reaped CPU and its children are the workload's (treeSampler.ts: sampleKeeper).
    if (proc.stat >= 0 && readEntry(proc.stat) <= 0) {
      proc.dead = true;
      lastExitPass_ = pass_;
      return;
    }
    if (proc.children >= 0) readEntry(proc.children);
    return;
  }
  bool moved = false;
  bool gone = false;
  for (ThreadFiles& th : proc.threads) {
    if (th.dead) continue;
    const bool hasSched = th.sched >= 0;
    if (hasSched) {
      const long n = readSlot(th.sched);
      if (n <= 0) {
        appendRead(th.sched, n);
        th.dead = true;
        gone = true;
        continue;
      }
      const size_t len = static_cast<size_t>(n) < sizeof th.last ? static_cast<size_t>(n) : sizeof th.last;
      const bool changed = static_cast<size_t>(n) > sizeof th.last || len != th.lastLen || std::memcmp(th.last, scratch_.data(), len) != 0;
      if (changed) {
        std::memcpy(th.last, scratch_.data(), len);
        th.lastLen = static_cast<uint8_t>(len);
        th.stale = true;
        moved = true;
        appendRead(th.sched, n);
      } else {
        // Most threads sleep: say so in 8 bytes, and JavaScript parses nothing for them.
        appendUnchanged(pending_, static_cast<uint32_t>(th.sched));
        entries_++;
      }
    }
    // threadReading.ts: the stat line of a thread that ran, on refresh passes; every one on slow passes.
    if (th.stat >= 0 && ((th.stale && refresh) || slow || !hasSched)) {
      th.stale = false;
      if (readEntry(th.stat) <= 0) {
        th.dead = true;
        gone = true;
      }
    }
  }
  // passPlan.ts readsProcessStat (a process first seen is read by JavaScript itself).
  if (proc.stat >= 0 && (refresh || gone || (moved && (created || exitedLately)))) {
    if (readEntry(proc.stat) <= 0) {
      proc.dead = true;
      gone = true;
    }
  }
  if (gone) lastExitPass_ = pass_;
}

long SamplerCore::readSlot(int slot) {
  Slot& s = slots_[slot];
  long n = s.fd >= 0 ? preadWhole(s.fd, scratch_) : -1;
  if (n < 0 && s.fd >= 0) closeSlot(slot);  // gone for good (ESRCH): free the descriptor now; empty (0) is not gone
  if (n > 0 && s.role == kCpuStat) n = cpuLinesLength(scratch_.data(), n);
  return n;
}

void SamplerCore::appendRead(int slot, long n) {
  appendEntry(pending_, static_cast<uint32_t>(slot), scratch_.data(), n);
  entries_++;
}

long SamplerCore::readEntry(int slot) {
  const long n = readSlot(slot);
  appendRead(slot, n);
  return n;
}

}  // namespace corescope
