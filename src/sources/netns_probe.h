// Probes from outside: a network namespace made for the purpose, joined to the
// host by a veth pair the way another host on the LAN is, from which TCP
// connections to the host's listening ports are tried. Needs root
// (CAP_SYS_ADMIN, CAP_NET_ADMIN). (Scaffolding: the verify helper fills this in.)
#pragma once

namespace deminer {}  // namespace deminer
