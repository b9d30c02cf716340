// Keccak-256 with the original (pre-SHA-3) padding, as Monero uses for address
// checksums. Written here because OpenSSL 3.0 (Debian 12) exposes only SHA3-256,
// whose padding differs, and no other Debian library in our set provides it.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace deminer {

std::array<uint8_t, 32> Keccak256(std::string_view data);

}  // namespace deminer
