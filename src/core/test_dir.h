// Test helper: a fresh directory, removed with its contents when the test's
// object goes out of scope (also when an assertion ends the test early).
// Under /var/tmp by default, which the file system attribute tests need
// (tmpfs keeps no chattr flags on older kernels).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace deminer {

class TestDir {
 public:
  explicit TestDir(const std::string& prefix = "/var/tmp/deminer-test") {
    std::string tmpl = prefix + ".XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << tmpl;
    path_ = tmpl;
  }
  ~TestDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace deminer
