#include "match/monero.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "match/keccak.h"

namespace deminer {
namespace {

// Seed 000's wallet, as it appeared on the miner's command line.
constexpr const char* kSeedWallet =
    "42s7H81wKKbggZsnd5geEeC7ANWUDhkqf7xhdSgaBd9ZE61qwwh7ch1gBQkE5FbvabAdNTeNV18nBNTpioUqmgHj4h4kks"
    "2";

std::string Hex(const std::array<uint8_t, 32>& h) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (const uint8_t b : h) {
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

TEST(Keccak256Test, MatchesKnownVectors) {
  // Keccak-256 (not SHA3-256) test vectors.
  EXPECT_EQ(Hex(Keccak256("")), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(Hex(Keccak256("abc")),
            "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

TEST(MoneroAddressTest, AcceptsSeedWalletWithValidChecksum) {
  const auto a = ParseMoneroAddress(kSeedWallet);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->type, MoneroAddressType::kStandard);
  EXPECT_TRUE(a->mainnet);
}

// Monero's block base58: 8-byte blocks to 11 characters, the last partial
// block to its own size. Only for building test addresses.
std::string EncodeBase58(const std::vector<uint8_t>& data) {
  static constexpr std::string_view kAlphabet =
      "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  static constexpr size_t kSizes[] = {0, 2, 3, 5, 6, 7, 9, 10, 11};
  std::string out;
  for (size_t i = 0; i < data.size(); i += 8) {
    const size_t n = std::min<size_t>(8, data.size() - i);
    uint64_t v = 0;
    for (size_t k = 0; k < n; ++k) v = (v << 8) | data[i + k];
    std::string block(kSizes[n], '1');
    for (size_t k = kSizes[n]; k > 0 && v > 0; --k) {
      block[k - 1] = kAlphabet[v % 58];
      v /= 58;
    }
    out += block;
  }
  return out;
}

std::string MakeAddress(uint8_t network, size_t extra_bytes) {
  std::vector<uint8_t> raw = {network};
  for (size_t i = 0; i < 64 + extra_bytes; ++i) raw.push_back(static_cast<uint8_t>(i * 7 + 3));
  const auto h = Keccak256(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
  raw.insert(raw.end(), h.begin(), h.begin() + 4);
  return EncodeBase58(raw);
}

TEST(MoneroAddressTest, RecognisesSubaddressAndIntegratedAddresses) {
  const std::string sub = MakeAddress(42, 0);
  ASSERT_EQ(sub.size(), 95u);
  EXPECT_EQ(sub[0], '8');
  const auto s = ParseMoneroAddress(sub);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->type, MoneroAddressType::kSubaddress);

  const std::string integrated = MakeAddress(19, 8);
  ASSERT_EQ(integrated.size(), 106u);
  const auto i = ParseMoneroAddress(integrated);
  ASSERT_TRUE(i.has_value());
  EXPECT_EQ(i->type, MoneroAddressType::kIntegrated);

  // A standard address built the same way passes too.
  EXPECT_TRUE(ParseMoneroAddress(MakeAddress(18, 0)).has_value());
  // A standard-address network byte on an integrated-address length is rejected.
  EXPECT_FALSE(ParseMoneroAddress(MakeAddress(18, 8)).has_value());
  // Unknown network byte.
  EXPECT_FALSE(ParseMoneroAddress(MakeAddress(77, 0)).has_value());
}

TEST(MoneroAddressTest, RejectsOneChangedCharacter) {
  std::string w = kSeedWallet;
  w[50] = w[50] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(ParseMoneroAddress(w).has_value());
}

TEST(MoneroAddressTest, RejectsLookalikes) {
  EXPECT_FALSE(ParseMoneroAddress("").has_value());
  EXPECT_FALSE(ParseMoneroAddress(std::string(95, '4')).has_value());
  // base64 is not base58: '0', 'O', 'I', 'l', '+', '/' are not in the alphabet.
  EXPECT_FALSE(ParseMoneroAddress(std::string(95, 'O')).has_value());
  EXPECT_FALSE(ParseMoneroAddress(std::string(kSeedWallet).substr(0, 94)).has_value());
}

TEST(MoneroAddressTest, WalletPartStripsWorkerAndDifficulty) {
  EXPECT_EQ(WalletPart("ADDR.worker1"), "ADDR");
  EXPECT_EQ(WalletPart("ADDR+50000"), "ADDR");
  EXPECT_EQ(WalletPart("ADDR"), "ADDR");
}

}  // namespace
}  // namespace deminer
