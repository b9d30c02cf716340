// Helpers shared by the network checks: a finding about one socket, named by
// its endpoints and its owning process (the first owner, when there are several).
#pragma once

#include "checks/check.h"

namespace deminer {

std::string Endpoint(const std::string& addr, uint16_t port);

// The first owner of `s` that is not deminer itself, or null.
const Process* SocketOwner(const CheckContext& ctx, const Socket& s);

// Subject "tcp 10.0.0.5:41234 -> 1.2.3.4:3333 (pid 812 javae)"; container of the owner;
// evidence with the socket, the owner's identity and ancestry.
Finding SocketFinding(const CheckInfo& info, const CheckContext& ctx, const Socket& s,
                      Severity severity);

}  // namespace deminer
