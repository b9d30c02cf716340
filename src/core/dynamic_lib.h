// A shared library opened at run time (dlopen) for a dependency deminer can
// run without, or whose load cost a scan should only pay when it needs it
// (libcurl, libsystemd): its functions are looked up by name into typed
// pointers, and the first thing that failed is kept as the reason. The
// handle is never closed, so the pointers stay valid for the process's life.
#pragma once

#include <dlfcn.h>

#include <string>
#include <type_traits>

namespace deminer {

class DynamicLib {
 public:
  explicit DynamicLib(const char* soname) : soname_(soname) {
    handle_ = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) error_ = std::string("cannot load ") + soname + ": " + dlerror();
  }

  // Sets `fn` to the function `name`, or to null (and the error, the first time).
  template <class Fn>
  void Sym(const char* name, Fn& fn) {
    static_assert(std::is_pointer_v<Fn>);
    fn = handle_ != nullptr ? reinterpret_cast<Fn>(dlsym(handle_, name)) : nullptr;
    if (fn == nullptr && error_.empty()) error_ = soname_ + " lacks " + name;
  }

  // Why it cannot be used; empty when the library and every symbol asked for loaded.
  const std::string& error() const { return error_; }

 private:
  std::string soname_;
  void* handle_ = nullptr;
  std::string error_;
};

}  // namespace deminer
