#include "sources/postgres.h"

#include <gtest/gtest.h>

namespace deminer {
namespace {

TEST(PgHbaParseTest, ReadsTheRuleForms) {
  const PgHbaFile f = ParsePgHba(R"(# TYPE  DATABASE  USER  ADDRESS  METHOD
local   all       postgres          peer
host    all       all   0.0.0.0/0   trust   # the seed
host    "my db",db2  app,"Odd User"   10.0.0.0  255.0.0.0  md5
hostssl all       all   ::/0        scram-sha-256 clientcert=verify-full
host    all       all   samehost    password
)");
  EXPECT_TRUE(f.notes.empty());
  ASSERT_EQ(f.rules.size(), 5u);
  EXPECT_EQ(f.rules[0].line, 2);
  EXPECT_EQ(f.rules[0].type, "local");
  EXPECT_EQ(f.rules[0].users, std::vector<std::string>{"postgres"});
  EXPECT_EQ(f.rules[0].address, "");
  EXPECT_EQ(f.rules[0].method, "peer");
  EXPECT_EQ(f.rules[1].line, 3);
  EXPECT_EQ(f.rules[1].address, "0.0.0.0/0");
  EXPECT_EQ(f.rules[1].method, "trust");
  EXPECT_EQ(f.rules[2].databases, (std::vector<std::string>{"my db", "db2"}));
  EXPECT_EQ(f.rules[2].users, (std::vector<std::string>{"app", "Odd User"}));
  EXPECT_EQ(f.rules[2].address, "10.0.0.0");
  EXPECT_EQ(f.rules[2].netmask, "255.0.0.0");
  EXPECT_EQ(f.rules[2].method, "md5");
  EXPECT_EQ(f.rules[3].type, "hostssl");
  EXPECT_EQ(f.rules[3].method, "scram-sha-256");
  EXPECT_EQ(f.rules[4].address, "samehost");
  EXPECT_EQ(f.rules[4].method, "password");
}

TEST(PgHbaParseTest, SkipsWhatItDoesNotFollowWithANote) {
  struct Case {
    std::string text;
    size_t rules;
    std::string note;  // a substring of the first note; "" for none
  };
  const Case cases[] = {
      {"include other.conf\nlocal all all trust\n", 1, "include"},
      {"host all all \\\n  0.0.0.0/0 trust\nlocal all all peer\n", 1, "continuation"},
      {"host all \"unterminated all 0.0.0.0/0 trust\n", 0, "quote"},
      {"nonsense all all trust\n", 0, "unknown connection type"},
      {"host all all 0.0.0.0/0\n", 0, "too few fields"},
      {"host all all 10.0.0.1 trust\n", 0, "netmask"},
      {"", 0, ""},
      {"\n\n   # only comments\n", 0, ""},
      {std::string("\x00\xff\x01 local\r\n", 11), 0, "unknown"},
      {"local all all trust\r\n", 1, ""},
  };
  for (const Case& c : cases) {
    const PgHbaFile f = ParsePgHba(c.text);
    EXPECT_EQ(f.rules.size(), c.rules) << c.text;
    if (c.note.empty()) {
      EXPECT_TRUE(f.notes.empty()) << c.text;
    } else {
      ASSERT_FALSE(f.notes.empty()) << c.text;
      EXPECT_NE(f.notes[0].find(c.note), std::string::npos) << f.notes[0];
    }
  }
}

TEST(PgConfParseTest, ReadsSettingsQuotesAndLines) {
  const PgConfFile f = ParsePgConf(R"(# comment
listen_addresses = '*'		# what IP address(es) to listen on;
port = 5433
ssl=off
Shared_Buffers 128MB
log_line_prefix = '%m [%p] it''s \'x\''
include_dir = 'conf.d'
empty = ''
)");
  EXPECT_TRUE(f.notes.empty()) << f.notes[0];
  ASSERT_EQ(f.settings.size(), 6u);
  EXPECT_EQ(f.settings[0].name, "listen_addresses");
  EXPECT_EQ(f.settings[0].value, "*");
  EXPECT_EQ(f.settings[0].line, 2);
  EXPECT_EQ(f.settings[1].value, "5433");
  EXPECT_EQ(f.settings[2].name, "ssl");
  EXPECT_EQ(f.settings[2].value, "off");
  EXPECT_EQ(f.settings[3].name, "shared_buffers");
  EXPECT_EQ(f.settings[3].value, "128MB");
  EXPECT_EQ(f.settings[4].value, "%m [%p] it's 'x'");
  EXPECT_EQ(f.settings[5].name, "empty");
  EXPECT_EQ(f.settings[5].value, "");
  EXPECT_EQ(f.includes, std::vector<std::string>{"conf.d"});
}

TEST(PgConfParseTest, GarbageBecomesNotes) {
  struct Case {
    std::string text;
    size_t settings;
    size_t notes;
  };
  const Case cases[] = {
      {"= 5\n", 0, 1},
      {"ssl = 'on\n", 0, 1},
      {"ssl = on trailing\n", 0, 1},
      {"ssl =\n", 0, 1},
      {"9lives = 1\n", 0, 1},
      {std::string("\x00\x01\x02", 3), 0, 1},
      {"port = 5432 # ok\n\x7f\n", 1, 1},
  };
  for (const Case& c : cases) {
    const PgConfFile f = ParsePgConf(c.text);
    EXPECT_EQ(f.settings.size(), c.settings) << c.text;
    EXPECT_EQ(f.notes.size(), c.notes) << c.text;
  }
}

TEST(PgConfParseTest, LaterFilesWinWithTheirPathAndLine) {
  PgServer s;
  ApplyPgConf(s, "/etc/postgresql/15/main/postgresql.conf",
              ParsePgConf("listen_addresses = 'localhost'\nssl = on\n"));
  ApplyPgConf(s, "/var/lib/postgresql/15/main/postgresql.auto.conf",
              ParsePgConf("# Do not edit\nlisten_addresses = '*'\n"));
  ASSERT_NE(s.Setting("listen_addresses"), nullptr);
  EXPECT_EQ(s.Setting("listen_addresses")->value, "*");
  EXPECT_EQ(s.Setting("listen_addresses")->path, "/var/lib/postgresql/15/main/postgresql.auto.conf");
  EXPECT_EQ(s.Setting("listen_addresses")->line, 2);
  EXPECT_EQ(s.Setting("ssl")->line, 2);
  EXPECT_EQ(s.Setting("port"), nullptr);
}

TEST(PgLoginTest, RefusedConnectionIsAnErrorNotACrash) {
  // Port 1 on loopback: nothing listens (or it is not PostgreSQL).
  const PgLoginResult r = TryPasswordlessLogin("127.0.0.1", 1, "postgres", "postgres", 2);
  EXPECT_FALSE(r.connected);
  EXPECT_FALSE(r.error.empty());
}

TEST(PgDsnTest, ParsesHostPortUserNeverThePassword) {
  std::string error;
  const auto t = ParsePgDsn("postgresql://app:s3cret@127.0.0.1:5433/db", &error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 5433);
  EXPECT_EQ(t->user, "app");
  const auto bad = ParsePgDsn("host='unterminated password=s3cret", &error);
  EXPECT_FALSE(bad);
  EXPECT_EQ(error.find("s3cret"), std::string::npos);
}

}  // namespace
}  // namespace deminer
