// Monero address recognition: Monero's block-wise base58, the network byte,
// and the Keccak-256 checksum. A string that passes is a real address (not a
// base64 blob that happens to look like one), which is what lets a scan call
// "-u 4..." a wallet with confidence.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace deminer {

enum class MoneroAddressType { kStandard, kSubaddress, kIntegrated };

struct MoneroAddress {
  MoneroAddressType type;
  bool mainnet = true;
};

std::string_view MoneroAddressTypeName(MoneroAddressType t);

// Validates a full address (95 or 106 characters); nullopt when it is not one.
std::optional<MoneroAddress> ParseMoneroAddress(std::string_view s);

// Strips what miners append to a wallet in -u: ".worker", "+difficulty", "/email".
std::string_view WalletPart(std::string_view user);

}  // namespace deminer
