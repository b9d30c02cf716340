#include "core/dynamic_lib.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace deminer {
namespace {

TEST(DynamicLibTest, LoadsFunctionsAndKeepsTheFirstFailure) {
  DynamicLib libc("libc.so.6");
  pid_t (*get_pid)() = nullptr;
  libc.Sym("getpid", get_pid);
  ASSERT_NE(get_pid, nullptr);
  EXPECT_EQ(get_pid(), getpid());
  EXPECT_EQ(libc.error(), "");
  int (*missing)() = nullptr;
  libc.Sym("deminer_no_such_function", missing);
  libc.Sym("another_missing_one", missing);
  EXPECT_EQ(missing, nullptr);
  EXPECT_EQ(libc.error(), "libc.so.6 lacks deminer_no_such_function");
}

TEST(DynamicLibTest, AMissingLibraryIsAReasonNotACrash) {
  DynamicLib none("libdeminer-no-such-library.so.0");
  int (*fn)() = reinterpret_cast<int (*)()>(1);
  none.Sym("anything", fn);
  EXPECT_EQ(fn, nullptr);
  EXPECT_EQ(none.error().rfind("cannot load libdeminer-no-such-library.so.0: ", 0), 0u)
      << none.error();
}

}  // namespace
}  // namespace deminer
