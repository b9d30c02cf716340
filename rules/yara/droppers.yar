/*
  deminer default YARA pack: shell droppers of cryptominers.

  Each private rule below is ONE dropper behaviour. A single behaviour is
  common in honest files (install guides pipe curl into sh, firewall scripts
  flush iptables, packages write systemd units), so the reported rules need:
    dropper_script           two or more independent behaviours, or one of
                             them plus a temp-dir path made executable or run
                             (high);
    dropper_script_miner     the same and a miner launch in the same file
                             (critical);
  and a few single lines that have no honest use on a server are reported on
  their own at medium (reverse shell to an address, /etc/ld.so.preload write).

  Speed: every string starts with or contains a literal of 4+ bytes
  (curl, wget, chmod, chattr, crontab, base64, /dev/tcp/ ...); no nocase.
*/

import "math"

/* ------------------------------------------------------------ behaviours */

private rule dropper_b_fetch_to_shell
{
    meta:
        description = "download piped into a shell: curl|wget ... | sh, sh -c \"$(curl ...)\""
        severity = "info"
        source = "deminer; MITRE ATT&CK T1105 Ingress Tool Transfer, T1059.004 Unix Shell"
        attack = "T1105"
    strings:
        $f1 = /curl\s[^\n|;&]{1,300}\|\s{0,3}(sudo\s{1,3})?(\/usr)?(\/bin\/)?(ba|da|z)?sh(\s|$|;|\))/
        $f2 = /wget\s[^\n|;&]{1,300}\|\s{0,3}(sudo\s{1,3})?(\/usr)?(\/bin\/)?(ba|da|z)?sh(\s|$|;|\))/
        $f3 = /sh -c ["']?\$\((curl|wget)\s/
        $f4 = /(curl|wget)\s[^\n|;&]{1,300}\|\s{0,3}(python[23]?|perl)(\s|$)/
    condition:
        any of them
}

private rule dropper_b_base64_to_shell
{
    meta:
        description = "encoded payload decoded into a shell: base64 -d | bash"
        severity = "info"
        source = "seed 000 (barofarm-frontend, 2025-12-19) section 'log analysis': echo IyEvYmluL2Jhc2gK... | base64 -d | /bin/bash; MITRE ATT&CK T1140"
        attack = "T1140"
    strings:
        $b1 = /base64\s{1,3}(-d|-D|--decode|-di)[^\n|]{0,40}\|\s{0,3}(sudo\s{1,3})?(\/usr)?(\/bin\/)?(ba|da|z)?sh(\s|$|;|\))/
        $b2 = /base64\s{1,3}(-d|-D|--decode)[^\n|]{0,40}\|\s{0,3}(python[23]?|perl)(\s|$)/
        $b3 = /\|\s{0,3}base64\s{1,3}(-d|-D|--decode)\s{0,3}>\s{0,3}\/(tmp|var\/tmp|dev\/shm)\//
    condition:
        any of them
}

private rule dropper_b_download_to_temp
{
    meta:
        description = "download saved into /tmp, /var/tmp or /dev/shm"
        severity = "info"
        source = "deminer; seed 000 (wget saving to '/tmp/javae'); seed 001 section 2.1 (/tmp/dbus_daemon download); MITRE ATT&CK T1105"
        attack = "T1105"
    strings:
        $d1 = /curl\s[^\n|;]{0,200}\s(-o|--output)[= ]?\s?["']?\/(tmp|var\/tmp|dev\/shm)\//
        $d2 = /wget\s[^\n|;]{0,200}\s(-O|-P|--output-document|--directory-prefix)[= ]?\s?["']?\/(tmp|var\/tmp|dev\/shm)\//
        $d3 = /(curl|wget)\s[^\n|;]{0,200}\s>\s{0,3}["']?\/(tmp|var\/tmp|dev\/shm)\//
        $d4 = /cd\s{1,3}\/(tmp|var\/tmp|dev\/shm)[^\n]{0,20}(&&|;)\s{0,3}(curl|wget)\s/
        $d5 = "saving to '/tmp/"
        $d6 = "saving to '/var/tmp/"
        $d7 = "saving to '/dev/shm/"
    condition:
        any of them
}

private rule dropper_b_temp_exec
{
    meta:
        description = "a file in /tmp, /var/tmp or /dev/shm made executable or run"
        severity = "info"
        source = "deminer; seed 000 (/tmp/javae run), seed 001 section 2.4 (/bin/sh: /tmp/dbus_daemon); MITRE ATT&CK T1059.004"
        attack = "T1059.004"
    strings:
        $c1 = /chmod\s{1,3}(-R\s{1,3})?(\+x|[ugoa]{1,3}\+[rwx]{0,2}x|0?[0-7][0-7][1357]|0?[0-7][1357][0-7])\s{1,3}["']?\/(tmp|var\/tmp|dev\/shm)\//
        $c2 = /chmod(Sync)?\(\s{0,3}["'`]\/(tmp|var\/tmp|dev\/shm)\//
        $r1 = /(nohup|setsid|exec|&&|;|\|\|)\s{1,3}["']?\/(tmp|var\/tmp|dev\/shm)\/\.?[A-Za-z0-9_-]{1,64}["']?(\s|$|&|;)/
        $r2 = /\n\s{0,8}\/(tmp|var\/tmp|dev\/shm)\/\.?[A-Za-z0-9_-]{1,64}\s+-/
        $r3 = /(exec|execSync|spawn|spawnSync|execFile|execFileSync)\(\s{0,3}["'`]\/(tmp|var\/tmp|dev\/shm)\//
        $r4 = /(nohup|setsid)\s{1,3}\.\/[A-Za-z0-9_.-]{1,64}/
        $r5 = "/bin/sh: /tmp/"
    condition:
        any of them
}

private rule dropper_b_reverse_shell
{
    meta:
        description = "reverse shell: /dev/tcp/HOST/PORT, nc -e /bin/sh, socket dup2 to a shell"
        severity = "info"
        source = "deminer; seed 001 section 1.3 (reverse shell C2 72.62.186.16:4449); MITRE ATT&CK T1059.004"
        attack = "T1059.004"
    strings:
        $t1 = /\/dev\/tcp\/[0-9A-Za-z.-]{3,253}\/[0-9]{1,5}/
        $t2 = /\/dev\/udp\/[0-9A-Za-z.-]{3,253}\/[0-9]{1,5}/
        $n1 = /(nc|ncat|netcat)(\.traditional|\.openbsd)?\s[^\n|;]{0,80}-e\s{1,3}\/bin\/(ba)?sh/
        $n2 = /mkfifo\s{1,3}\/(tmp|var\/tmp|dev\/shm)\/[^\n]{0,120}\|\s{0,3}(nc|ncat|netcat)\s/
        $p1 = "dup2(s.fileno(),0)"
        $p2 = "dup2(s.fileno(), 0)"
    condition:
        any of them
}

private rule dropper_b_kill_rivals
{
    meta:
        description = "kills competing miners (xmrig, kdevtmpfsi, kinsing ...) or connections to pool ports"
        severity = "info"
        source = "deminer; Aqua Security and Trend Micro reports on Kinsing / TeamTNT killer scripts (pkill -f kdevtmpfsi, kill of xmrig, netstat | grep :3333 | xargs kill)"
        attack = "T1489"
    strings:
        $k1 = /(pkill|killall)\s{1,3}(-9\s{1,3})?(-f\s{1,3})?[^\n;|]{0,20}(xmrig|kdevtmpfsi|kinsing|minerd|cpuminer|xmr-stak|kworkerds|sysupdate|networkservice|sustes|watchbog|kthreaddi|dbused|javae|dbus_daemon)/
        $k2 = /grep[^\n]{0,80}(xmrig|kdevtmpfsi|kinsing|minerd|cpuminer|xmr-stak|kworkerds|sysupdate|watchbog)[^\n]{0,120}(xargs\s{1,3}(-r\s{1,3})?kill|kill\s{1,3}-9)/
        $k3 = /kill\s{1,3}-9\s{1,3}\$\((pgrep|pidof)\s{1,3}(-f\s{1,3})?[^\n)]{0,30}(xmrig|kdevtmpfsi|kinsing|minerd|cpuminer|xmr-stak|kworkerds|sysupdate)/
        $k4 = /netstat[^\n]{0,40}grep[^\n]{0,40}:(3333|4444|5555|7777|14444|14433|10128|45700)[^\n]{0,120}kill/
        $k5 = /rm\s{1,3}-r?f\s{1,3}\/(tmp|var\/tmp)\/(kdevtmpfsi|kinsing|xmrig)/
    condition:
        any of them
}

private rule dropper_b_immutable
{
    meta:
        description = "chattr -i / +i: unlock files to overwrite, lock them against removal"
        severity = "info"
        source = "deminer; seed 000 (chattr attempted), seed 001 section 6.1 (system-check set chattr +i); MITRE ATT&CK T1222.002"
        attack = "T1222.002"
    strings:
        $a1 = /chattr\s{1,3}(-R\s{1,3})?[-+][aiu]{1,3}\s/
    condition:
        any of them
}

private rule dropper_b_defence_off
{
    meta:
        description = "turns defences off: ufw disable, iptables -F, setenforce 0, SELinux/AppArmor/cloud agents stopped, shell history off"
        severity = "info"
        source = "deminer; seed 000 (iptables manipulation attempted); MITRE ATT&CK T1562.001, T1562.004, T1070.003"
        attack = "T1562.004"
    strings:
        $u1 = "ufw disable"
        $u2 = /iptables\s{1,3}(-t\s{1,3}[a-z]{1,8}\s{1,3})?(-F|--flush)(\s|$|;|&)/
        $u3 = /iptables\s{1,3}-P\s{1,3}(INPUT|OUTPUT)\s{1,3}ACCEPT/
        $s1 = "setenforce 0"
        $s2 = /sed\s[^\n]{0,60}SELINUX=disabled/
        $a1 = /systemctl\s{1,3}(stop|disable|mask)\s{1,3}(apparmor|firewalld|ufw|auditd|aliyun|aegis|cloudmonitor|falco)/
        $a2 = /service\s{1,3}(apparmor|firewalld|ufw|auditd)\s{1,3}stop/
        $a3 = /\/usr\/local\/(aegis|qcloud|cloudmonitor)\/[^\n]{0,40}uninstall/
        $h1 = "unset HISTFILE"
        $h2 = "HISTFILE=/dev/null"
    condition:
        any of them
}

private rule dropper_b_persistence
{
    meta:
        description = "persistence: crontab fed from a pipe, writes to cron dirs, systemd units, /etc/ld.so.preload, rc.local, authorized_keys"
        severity = "info"
        source = "deminer; seed 000 (/etc/systemd/system/javae.service attempted); MITRE ATT&CK T1053.003, T1543.002, T1574.006, T1098.004"
        attack = "T1053.003"
    strings:
        $c1 = /\|\s{0,3}crontab\s{1,3}-(\s|$|\)|;|")/
        $c2 = /(echo|printf)\s[^\n]{0,300}>>?\s{0,3}\/(etc\/cron\.(d|hourly|daily)\/|etc\/crontab|var\/spool\/cron\/)/
        $c3 = /crontab\s{1,3}(-u\s{1,3}[a-z_][a-z0-9_-]{0,31}\s{1,3})?\/(tmp|var\/tmp|dev\/shm)\//
        $s1 = /(>|tee( -a)?)\s{0,3}\/(etc|lib|usr\/lib)\/systemd\/system\/[A-Za-z0-9@._-]{1,64}\.(service|timer)/
        $s2 = /(cp|mv)\s[^\n]{1,200}\s\/etc\/systemd\/system\/[A-Za-z0-9@._-]{1,64}\.(service|timer)/
        $l1 = /(>|tee( -a)?)\s{0,3}\/etc\/ld\.so\.preload/
        $r1 = /(>>|tee -a)\s{0,3}\/etc\/rc\.local/
        $k1 = /(>>|tee -a)\s{0,3}(~|\$HOME|\/root|\/home\/[a-z_][a-z0-9_-]{0,31})\/\.ssh\/authorized_keys/
    condition:
        any of them
}

private rule dropper_b_miner_launch
{
    meta:
        description = "starts or configures a miner: stratum URL, XMRig options, a pool host with a port"
        severity = "info"
        source = "deminer; XMRig command-line options; pools as in rules/pools.yaml"
        attack = "T1496"
    strings:
        $s1 = "stratum+tcp://"
        $s2 = "stratum+ssl://"
        $s3 = "stratum+tls://"
        $x1 = "--donate-level"
        $x2 = "--cpu-max-threads-hint"
        $x3 = "--randomx-1gb-pages"
        $p1 = /supportxmr\.com:[0-9]{2,5}/
        $p2 = /moneroocean\.stream:[0-9]{2,5}/
        $p3 = /nanopool\.org:[0-9]{2,5}/
        $p4 = /hashvault\.pro:[0-9]{2,5}/
        $p5 = /c3pool\.(com|org):[0-9]{2,5}/
        $p6 = /herominers\.com:[0-9]{2,5}/
        $p7 = /2miners\.com:[0-9]{2,5}/
        $p8 = /f2pool\.com:[0-9]{2,5}/
        $p9 = /kryptex\.network:[0-9]{2,5}/
        $p10 = /xmrpool\.eu:[0-9]{2,5}/
        $p11 = /monerohash\.com:[0-9]{2,5}/
        $p12 = /unmineable\.com:[0-9]{2,5}/
        $p13 = /minexmr\.com:[0-9]{2,5}/
        $p14 = /nicehash\.com:[0-9]{2,5}/
    condition:
        any of them
}

/* --------------------------------------------------------------- reported */

rule dropper_script
{
    meta:
        description = "Dropper: two or more independent dropper behaviours (fetch into a shell, decode into a shell, download to a temp dir, reverse shell, killing rival miners, chattr, turning defences off, persistence), or one of them with a temp-dir file made executable or run"
        severity = "high"
        source = "deminer; patterns of the seeds' droppers (seed 000: base64 -d | bash, /tmp/javae, systemd unit, chattr, iptables; seed 001: /tmp/dbus_daemon download-run loop, reverse shell, chattr +i) and public Kinsing / TeamTNT / WatchBog scripts"
        attack = "T1105"
    condition:
        filesize < 5MB and
        (
            (
                math.to_number(dropper_b_fetch_to_shell) +
                math.to_number(dropper_b_base64_to_shell) +
                math.to_number(dropper_b_download_to_temp) +
                math.to_number(dropper_b_reverse_shell) +
                math.to_number(dropper_b_kill_rivals) +
                math.to_number(dropper_b_immutable) +
                math.to_number(dropper_b_defence_off) +
                math.to_number(dropper_b_persistence)
            ) >= 2
            or
            (
                dropper_b_temp_exec and
                (dropper_b_fetch_to_shell or dropper_b_base64_to_shell or dropper_b_download_to_temp or
                 dropper_b_reverse_shell or dropper_b_kill_rivals or dropper_b_immutable or
                 dropper_b_defence_off or dropper_b_persistence)
            )
        )
}

rule dropper_script_miner
{
    meta:
        description = "Miner dropper: a dropper (see dropper_script) that also starts or configures a miner (stratum URL, XMRig options, pool endpoint)"
        severity = "critical"
        source = "deminer (dropper_script plus a miner launch in the same file)"
        attack = "T1496"
    condition:
        dropper_script and dropper_b_miner_launch
}

rule dropper_miner_fetch_and_run
{
    meta:
        description = "Script that downloads into a temp dir or pipes a download into a shell and also starts a miner"
        severity = "high"
        source = "deminer; ua-parser-js npm compromise 2021 (preinstall: curl .../jsextension -o jsextension; chmod +x; ./jsextension -k --tls ... --donate-level=1)"
        attack = "T1496"
    condition:
        filesize < 5MB and dropper_b_miner_launch and
        (dropper_b_fetch_to_shell or dropper_b_download_to_temp or dropper_b_temp_exec)
}

rule dropper_reverse_shell_oneliner
{
    meta:
        description = "Interactive shell redirected to a TCP address: bash -i >& /dev/tcp/HOST/PORT 0>&1 and the like"
        severity = "medium"
        source = "deminer; seed 001 section 1.3 and 6.2 (reverse shell C2 72.62.186.16:4449); MITRE ATT&CK T1059.004"
        attack = "T1059.004"
    strings:
        $i1 = /(ba)?sh\s{1,3}-i\s{1,3}[0-9]?>&\s{0,3}\/dev\/tcp\/[0-9A-Za-z.-]{3,253}\/[0-9]{1,5}/
        $i2 = /exec\s{1,3}[0-9]{1,3}<>\/dev\/tcp\/[0-9A-Za-z.-]{3,253}\/[0-9]{1,5}/
    condition:
        any of them
}

rule dropper_ld_preload_write
{
    meta:
        description = "Writes to /etc/ld.so.preload (preloads a library into every process: process-hiding rootkits such as libprocesshider used by miner gangs)"
        severity = "medium"
        source = "deminer; MITRE ATT&CK T1574.006 Dynamic Linker Hijacking; public TeamTNT / Kinsing write-ups (libprocesshider via /etc/ld.so.preload)"
        attack = "T1574.006"
    strings:
        $l1 = /(echo|printf)\s[^\n]{1,200}>>?\s{0,3}\/etc\/ld\.so\.preload/
        $l2 = /tee(\s{1,3}-a)?\s{1,3}\/etc\/ld\.so\.preload/
    condition:
        filesize < 5MB and any of them
}

rule dropper_postgres_udf
{
    meta:
        description = "PostgreSQL used to drop and run a binary: lo_export into a temp dir, or a C function loaded from a temp dir"
        severity = "high"
        source = "seed 004 (2018-04-15 blog, 'cryptominer in my DB'): pg_largeobject + lo_export of a binary, a C UDF to run it, lshw/cpuinfo recon; Imperva 2018 'A Deep Dive into Database Attacks Part III'"
        attack = "T1105"
    strings:
        $lo = /lo_export\s{0,3}\([^)]{0,60}'\/(tmp|var\/tmp|dev\/shm)\//
        $udf1 = /'\/(tmp|var\/tmp|dev\/shm)\/[^'\n]{1,100}'\s{0,3},\s{0,3}'[A-Za-z0-9_]{1,64}'\s{0,3}(LANGUAGE|language)\s{1,3}[Cc]\b/
        $udf2 = /(LANGUAGE|language)\s{1,3}[Cc]\b[^;]{0,200}'\/(tmp|var\/tmp|dev\/shm)\//
    condition:
        filesize < 20MB and any of them
}
