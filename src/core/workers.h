// Runs one job on several threads: the calling thread and up to n - 1 more.
// The job takes its own work items (an atomic index, a queue) until none is
// left. A thread that cannot be created is no error: the others do its share.
#pragma once

#include <functional>

namespace deminer {

void RunOnThreads(unsigned n, const std::function<void()>& job);

}  // namespace deminer
