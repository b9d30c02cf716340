#include "match/monero.h"

#include <array>
#include <cstdint>
#include <vector>

#include "match/keccak.h"

namespace deminer {
namespace {

constexpr std::string_view kAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
// Encoded size of a block of 0..8 bytes in Monero's base58.
constexpr std::array<size_t, 9> kEncodedBlockSizes = {0, 2, 3, 5, 6, 7, 9, 10, 11};

int Digit(char c) {
  const size_t pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// Decodes one block of up to 11 characters into `bytes` bytes (big-endian).
bool DecodeBlock(std::string_view block, size_t bytes, std::vector<uint8_t>& out) {
  uint64_t value = 0;
  for (const char c : block) {
    const int d = Digit(c);
    if (d < 0) return false;
    // 11 base58 digits can exceed 64 bits; such a block is invalid anyway.
    if (__builtin_mul_overflow(value, uint64_t{58}, &value) ||
        __builtin_add_overflow(value, static_cast<uint64_t>(d), &value)) {
      return false;
    }
  }
  if (bytes < 8 && value >> (8 * bytes) != 0) return false;
  for (size_t i = bytes; i > 0; --i) out.push_back(static_cast<uint8_t>(value >> (8 * (i - 1))));
  return true;
}

bool DecodeBase58(std::string_view s, std::vector<uint8_t>& out) {
  constexpr size_t kFull = 11;
  const size_t full_blocks = s.size() / kFull;
  const size_t rest = s.size() % kFull;
  size_t rest_bytes = 0;
  if (rest != 0) {
    bool found = false;
    for (size_t b = 1; b < kEncodedBlockSizes.size(); ++b) {
      if (kEncodedBlockSizes[b] == rest) {
        rest_bytes = b;
        found = true;
      }
    }
    if (!found) return false;
  }
  for (size_t i = 0; i < full_blocks; ++i) {
    if (!DecodeBlock(s.substr(i * kFull, kFull), 8, out)) return false;
  }
  return rest == 0 || DecodeBlock(s.substr(full_blocks * kFull), rest_bytes, out);
}

}  // namespace

std::string_view MoneroAddressTypeName(MoneroAddressType t) {
  switch (t) {
    case MoneroAddressType::kStandard:
      return "standard";
    case MoneroAddressType::kSubaddress:
      return "subaddress";
    case MoneroAddressType::kIntegrated:
      return "integrated";
  }
  return "standard";
}

std::optional<MoneroAddress> ParseMoneroAddress(std::string_view s) {
  if (s.size() != 95 && s.size() != 106) return std::nullopt;
  std::vector<uint8_t> raw;
  raw.reserve(80);
  if (!DecodeBase58(s, raw)) return std::nullopt;
  // network byte (a varint, one byte for every network in use) + 64 key bytes
  // [+ 8 payment id bytes] + 4 checksum bytes.
  const size_t expected = s.size() == 95 ? 69 : 77;
  if (raw.size() != expected) return std::nullopt;
  const std::string_view body(reinterpret_cast<const char*>(raw.data()), raw.size() - 4);
  const auto hash = Keccak256(body);
  for (size_t i = 0; i < 4; ++i) {
    if (hash[i] != raw[raw.size() - 4 + i]) return std::nullopt;
  }
  MoneroAddress a{};
  switch (raw[0]) {
    case 18:
      a = {MoneroAddressType::kStandard, true};
      break;
    case 42:
      a = {MoneroAddressType::kSubaddress, true};
      break;
    case 19:
      a = {MoneroAddressType::kIntegrated, true};
      break;
    case 53:
      a = {MoneroAddressType::kStandard, false};
      break;  // testnet
    case 63:
      a = {MoneroAddressType::kSubaddress, false};
      break;  // testnet
    case 54:
      a = {MoneroAddressType::kIntegrated, false};
      break;  // testnet
    case 24:
      a = {MoneroAddressType::kStandard, false};
      break;  // stagenet
    case 36:
      a = {MoneroAddressType::kSubaddress, false};
      break;  // stagenet
    case 25:
      a = {MoneroAddressType::kIntegrated, false};
      break;  // stagenet
    default:
      return std::nullopt;
  }
  const bool integrated = a.type == MoneroAddressType::kIntegrated;
  if (integrated != (s.size() == 106)) return std::nullopt;
  return a;
}

std::string_view WalletPart(std::string_view user) {
  const size_t cut = user.find_first_of(".+/:");
  return cut == std::string_view::npos ? user : user.substr(0, cut);
}

}  // namespace deminer
