// The bytes JavaScript drains (decoded by src/engine/sampler/nativeRecords.ts). Little-endian;
// every record and entry starts on a 4-byte boundary.
//
//   record:  u32 byteLength (header and entries)   u32 pass
//            f64 tNs        (CLOCK_MONOTONIC when the pass began: process.hrtime's clock)
//            f64 deadlineNs (when it was scheduled to begin: tNs - deadlineNs is the jitter)
//            u32 entryCount  u32 reserved
//            entries
//   entry:   u32 slot   u32 length   bytes, padded to 4
//            length 0xFFFFFFFF: the file is gone; 0xFFFFFFFE: a schedstat byte for byte as the
//            slot's previous entry (no bytes follow: the thread neither ran nor waited)
//
// Raw bytes, not parsed numbers: JavaScript parses them with the same parsers as the JavaScript
// sampler, so both samplers cannot disagree on what a file says. The native side parses only
// what it needs to decide what to read (has a schedstat line changed, the newest pid).
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

namespace corescope {

constexpr uint32_t kGone = 0xFFFFFFFFu;
constexpr uint32_t kUnchanged = 0xFFFFFFFEu;
constexpr size_t kRecordHeaderBytes = 32;

inline void putU32(std::vector<uint8_t>& out, size_t at, uint32_t v) { std::memcpy(out.data() + at, &v, 4); }

inline void appendU32(std::vector<uint8_t>& out, uint32_t v) {
  const size_t at = out.size();
  out.resize(at + 4);
  putU32(out, at, v);
}

inline void appendF64(std::vector<uint8_t>& out, double v) {
  const size_t at = out.size();
  out.resize(at + 8);
  std::memcpy(out.data() + at, &v, 8);
}

/** Appends an entry that says the slot reads as its previous entry did (no bytes). */
inline void appendUnchanged(std::vector<uint8_t>& out, uint32_t slot) {
  appendU32(out, slot);
  appendU32(out, kUnchanged);
}

/** Appends one entry: its slot, its length (or kGone) and its bytes padded to 4. */
inline void appendEntry(std::vector<uint8_t>& out, uint32_t slot, const uint8_t* bytes, long n) {
  appendU32(out, slot);
  if (n < 0) {
    appendU32(out, kGone);
    return;
  }
  appendU32(out, static_cast<uint32_t>(n));
  const size_t at = out.size();
  const size_t padded = (static_cast<size_t>(n) + 3) & ~static_cast<size_t>(3);
  out.resize(at + padded);
  std::memcpy(out.data() + at, bytes, static_cast<size_t>(n));
  if (padded > static_cast<size_t>(n)) std::memset(out.data() + at + n, 0, padded - n);
}

}  // namespace corescope
