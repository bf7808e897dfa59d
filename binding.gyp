# The native sampler (native/): built by `npm install` through scripts/build-native.mjs, which
# never fails the install; without it the JavaScript sampler runs. Linux only (it reads /proc).
{
  "targets": [
    {
      "target_name": "corescope_sampler",
      "conditions": [
        ["OS=='linux'", {
          "sources": ["native/addon.cc", "native/sampler_core.cc"],
          "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra"],
          "libraries": ["-lpthread"]
        }]
      ]
    }
  ]
}
