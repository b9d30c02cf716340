// persist.ssh-key: authorized_keys entries that run a forced command, and
// key files changed recently: how droppers keep a way back in.
#include "checks/persist_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kPersistSshKey;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const PersistItem& item : ctx.facts.persistence) {
    if (item.kind != PersistKind::kAuthorizedKeys) continue;
    size_t keys = 0;
    for (const PersistCommand& c : item.commands) {
      const auto key = ParseAuthorizedKey(c.text);
      if (!key) continue;
      ++keys;
      const auto known = [&]() -> const std::string* {
        for (const std::string* part : {&key->key, &key->comment}) {
          if (part->empty()) continue;
          const auto it = ctx.rules.attacker_ssh_keys.find(*part);
          if (it != ctx.rules.attacker_ssh_keys.end()) return &it->second;
        }
        return nullptr;
      }();
      if (known != nullptr) {
        Finding f = PersistFinding(kPersistSshKey.info, ctx, item, &c, Severity::kCritical);
        f.title = "SSH key known from intrusions";
        f.evidence["text"] = Printable(key->type + " ... " + key->comment, 300);
        f.evidence["ioc"] = *known;
        out.push_back(std::move(f));
      }
      if (key->options.find("command=") == std::string::npos) continue;
      // A forced command is normal for backup and git keys; what it runs decides.
      const size_t start = key->options.find("command=\"");
      std::string command;
      if (start != std::string::npos) {
        const size_t end = key->options.find('"', start + 9);
        command = key->options.substr(start + 9, end == std::string::npos ? end : end - start - 9);
      }
      const CommandRisk risk = AssessCommand(command, ctx.rules);
      Finding f =
          PersistFinding(kPersistSshKey.info, ctx, item, &c,
                         risk.Any() ? std::max(risk.severity, Severity::kHigh) : Severity::kMedium);
      f.title = "SSH key with a forced command";
      f.evidence["text"] = Printable(key->options + " " + key->type + " ... " + key->comment, 500);
      f.evidence["command"] = Printable(command, 500);
      if (risk.Any()) f.evidence["reasons"] = risk.ToJson();
      out.push_back(std::move(f));
    }
    if (keys != 0 && item.mtime >= ctx.facts.now - kRecentSeconds) {
      Finding f =
          PersistFinding(kPersistSshKey.info, ctx, item, nullptr,
                         item.uid == 0 || item.user == "root" ? Severity::kMedium : Severity::kLow);
      f.title = "authorized_keys changed in the last 7 days";
      f.evidence["keys"] = keys;
      auto comments = nlohmann::ordered_json::array();
      for (const PersistCommand& c : item.commands) {
        if (auto k = ParseAuthorizedKey(c.text); k && comments.size() < 20) {
          comments.push_back(Printable(k->type + " " + k->comment, 200));
        }
      }
      f.evidence["key_comments"] = std::move(comments);
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kPersistSshKey = {
    {"persist.ssh-key", "SSH key that gives an intruder a way back in", Severity::kCritical,
     Kind::kCompromise, Scope::kPersistence, "T1098.004",
     "Compare every key with the ones your team owns; remove the others, rotate the owners' "
     "keys if the host was compromised, and set PasswordAuthentication no.",
     "Every user's ~/.ssh/authorized_keys and authorized_keys2: keys known from intrusions "
     "(the attacker_ssh_keys list of the rule pack, by key or comment: critical), keys with a "
     "forced `command=` (medium; high or critical when the command fetches or runs code), and "
     "files changed in the last 7 days (medium for root, low for others)."},
    Run};

}  // namespace deminer
