// The Node-API face of the native sampler (plain Node-API, ABI-stable: the same build loads in
// Node and in Electron). Every function takes the handle create() returned; the typed JavaScript
// view is src/engine/sampler/nativeAddon.ts. Data crosses as copies into memory JavaScript owns
// (napi_create_buffer_copy, napi_create_arraybuffer): Electron refuses external ArrayBuffers.
#define NAPI_VERSION 8
#include <node_api.h>

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sampler_core.h"

using corescope::SamplerCore;

namespace {

using Handle = std::shared_ptr<SamplerCore>;

#define CHECK(call)                               \
  do {                                            \
    if ((call) != napi_ok) return nullptr;        \
  } while (0)

napi_value throwError(napi_env env, const char* message) {
  napi_throw_error(env, nullptr, message);
  return nullptr;
}

/** The call's arguments (up to 8) and its handle (argument 0). */
struct Call {
  napi_value argv[8];
  size_t argc = 8;
  SamplerCore* core = nullptr;
};

bool getCall(napi_env env, napi_callback_info info, Call& call) {
  if (napi_get_cb_info(env, info, &call.argc, call.argv, nullptr, nullptr) != napi_ok || call.argc < 1) return false;
  void* data = nullptr;
  if (napi_get_value_external(env, call.argv[0], &data) != napi_ok || !data) return false;
  call.core = static_cast<Handle*>(data)->get();
  return true;
}

int64_t intArg(napi_env env, napi_value v) {
  int64_t out = 0;
  napi_get_value_int64(env, v, &out);
  return out;
}

double numberArg(napi_env env, napi_value v) {
  double out = 0;
  napi_get_value_double(env, v, &out);
  return out;
}

napi_value number(napi_env env, double v) {
  napi_value out;
  CHECK(napi_create_double(env, v, &out));
  return out;
}

napi_value Create(napi_env env, napi_callback_info) {
  auto* handle = new Handle(std::make_shared<SamplerCore>());
  napi_value out;
  // Collected without close(): stop the thread so it does not sample forever.
  auto finalize = [](napi_env, void* data, void*) {
    auto* h = static_cast<Handle*>(data);
    // This may run as the environment is torn down: the wake-up is not released into it (a
    // run's stop() released it already).
    (*h)->stop(false);
    delete h;
  };
  if (napi_create_external(env, handle, finalize, nullptr, &out) != napi_ok) {
    delete handle;
    return nullptr;
  }
  return out;
}

// add(handle, path, role, pid, tid) -> slot id, or -errno
napi_value Add(napi_env env, napi_callback_info info) {
  Call c;
  if (!getCall(env, info, c) || c.argc < 5) return throwError(env, "add(handle, path, role, pid, tid)");
  size_t len = 0;
  CHECK(napi_get_value_string_utf8(env, c.argv[1], nullptr, 0, &len));
  std::string path(len, '\0');
  CHECK(napi_get_value_string_utf8(env, c.argv[1], path.data(), len + 1, &len));
  const int slot = c.core->add(path, static_cast<int>(intArg(env, c.argv[2])), static_cast<int>(intArg(env, c.argv[3])), static_cast<int>(intArg(env, c.argv[4])));
  return number(env, slot);
}

// drop(handle, slot)
napi_value Drop(napi_env env, napi_callback_info info) {
  Call c;
  if (!getCall(env, info, c) || c.argc < 2) return throwError(env, "drop(handle, slot)");
  c.core->drop(static_cast<int>(intArg(env, c.argv[1])));
  return nullptr;
}

// readNow(handle, slot) -> Buffer (a copy) | null when gone
napi_value ReadNow(napi_env env, napi_callback_info info) {
  Call c;
  if (!getCall(env, info, c) || c.argc < 2) return throwError(env, "readNow(handle, slot)");
  std::vector<uint8_t> bytes;
  napi_value out;
  if (!c.core->readNow(static_cast<int>(intArg(env, c.argv[1])), bytes) || bytes.empty()) {
    CHECK(napi_get_null(env, &out));
    return out;
  }
  void* data = nullptr;
  CHECK(napi_create_buffer_copy(env, bytes.size(), bytes.data(), &data, &out));
  return out;
}

// start(handle, periodNs, slowEvery, statEvery, firstPass, maxPendingBytes, onTreeChange?) -> boolean
// onTreeChange is called on the JavaScript thread after a pass in which a pid was taken or a
// followed file was found gone (through a thread-safe function that does not keep the event loop
// alive).
napi_value Start(napi_env env, napi_callback_info info) {
  Call c;
  if (!getCall(env, info, c) || c.argc < 6) return throwError(env, "start(handle, periodNs, slowEvery, statEvery, firstPass, maxPendingBytes, onTreeChange?)");
  corescope::Schedule s;
  s.periodNs = static_cast<int64_t>(numberArg(env, c.argv[1]));
  s.slowEvery = static_cast<uint32_t>(intArg(env, c.argv[2]));
  s.statEvery = static_cast<uint32_t>(intArg(env, c.argv[3]));
  s.firstPass = static_cast<uint32_t>(intArg(env, c.argv[4]));
  s.maxPendingBytes = static_cast<size_t>(numberArg(env, c.argv[5]));
  std::function<void()> wake;
  std::function<void()> done;
  napi_valuetype type = napi_undefined;
  if (c.argc >= 7) CHECK(napi_typeof(env, c.argv[6], &type));
  if (type == napi_function) {
    napi_value name;
    CHECK(napi_create_string_utf8(env, "corescope-sampler-wake", NAPI_AUTO_LENGTH, &name));
    napi_threadsafe_function tsfn = nullptr;
    // Queue of one: a wake-up already waiting covers every pass until JavaScript runs it.
    CHECK(napi_create_threadsafe_function(env, c.argv[6], nullptr, name, 1, 1, nullptr, nullptr, nullptr, nullptr, &tsfn));
    CHECK(napi_unref_threadsafe_function(env, tsfn));
    wake = [tsfn] { napi_call_threadsafe_function(tsfn, nullptr, napi_tsfn_nonblocking); };
    done = [tsfn] { napi_release_threadsafe_function(tsfn, napi_tsfn_release); };
  }
  const bool started = c.core->start(s, wake, done);
  if (!started && done) done();
  napi_value out;
  CHECK(napi_get_boolean(env, started, &out));
  return out;
}

// stop(handle): no pass begins after this returns.
napi_value Stop(napi_env env, napi_callback_info info) {
  Call c;
  if (!getCall(env, info, c)) return throwError(env, "stop(handle)");
  c.core->stop();
  return nullptr;
}

// closeAll(handle): no pass begins after this returns, and every descriptor is closed.
napi_value CloseAll(napi_env env, napi_callback_info info) {
  Call c;
  if (!getCall(env, info, c)) return throwError(env, "closeAll(handle)");
  c.core->closeAll();
  return nullptr;
}

// drain(handle) -> { records: ArrayBuffer | null, dropped: number }
napi_value Drain(napi_env env, napi_callback_info info) {
  Call c;
  if (!getCall(env, info, c)) return throwError(env, "drain(handle)");
  // The same vector each time: its storage becomes the thread's next buffer (see drain()).
  std::vector<uint8_t>& bytes = c.core->drainBuffer();
  const uint64_t dropped = c.core->drain(bytes);
  napi_value out, records;
  CHECK(napi_create_object(env, &out));
  if (bytes.empty()) {
    CHECK(napi_get_null(env, &records));
  } else {
    void* data = nullptr;
    CHECK(napi_create_arraybuffer(env, bytes.size(), &data, &records));
    std::memcpy(data, bytes.data(), bytes.size());
  }
  CHECK(napi_set_named_property(env, out, "records", records));
  CHECK(napi_set_named_property(env, out, "dropped", number(env, static_cast<double>(dropped))));
  return out;
}

// threadTid(handle) -> the sampling thread's kernel tid (0 before start)
napi_value ThreadTid(napi_env env, napi_callback_info info) {
  Call c;
  if (!getCall(env, info, c)) return throwError(env, "threadTid(handle)");
  return number(env, c.core->threadTid());
}

}  // namespace

NAPI_MODULE_INIT() {
  const napi_property_descriptor fns[] = {
      {"create", nullptr, Create, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"add", nullptr, Add, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"drop", nullptr, Drop, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"readNow", nullptr, ReadNow, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"start", nullptr, Start, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"stop", nullptr, Stop, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"closeAll", nullptr, CloseAll, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"drain", nullptr, Drain, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"threadTid", nullptr, ThreadTid, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  if (napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns) != napi_ok) return nullptr;
  return exports;
}
