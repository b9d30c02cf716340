#include "match/monero.h"

#include <gtest/gtest.h>

#include "match/keccak.h"

namespace deminer {
namespace {

// Seed 000's wallet, as it appeared on the miner's command line.
constexpr const char* kSeedWallet =
    "42s7H81wKKbggZsnd5geEeC7ANWUDhkqf7xhdSgaBd9ZE61qwwh7ch1gBQkE5FbvabAdNTeNV18nBNTpioUqmgHj4h4kks2";

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
  EXPECT_EQ(Hex(Keccak256("")),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(Hex(Keccak256("abc")),
            "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

TEST(MoneroAddressTest, AcceptsSeedWalletWithValidChecksum) {
  const auto a = ParseMoneroAddress(kSeedWallet);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->type, MoneroAddressType::kStandard);
  EXPECT_TRUE(a->mainnet);
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
