#!/bin/bash
# harmless test sample: a defender's monitoring script (like seed 000's section 2.1); must not match
SUSPICIOUS=$(docker exec app ps aux | grep -E "javae|minerd|xmrig|cpuminer" || true)
if [ -n "$SUSPICIOUS" ]; then
    echo "ALERT: Suspicious process detected"
    docker restart app
fi
sudo ufw deny out to 72.62.186.16
sudo ufw enable
