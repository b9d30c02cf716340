/*
  deminer default YARA pack: shell droppers of cryptominers.

  Each private rule below is ONE dropper behaviour. A single behaviour is
  common in honest files (install guides pipe curl into sh, firewall scripts
  flush iptables, packages write systemd units), so the reported rules need:
    dropper_script            two or more independent behaviours, or one of
                              them plus a file in /tmp, /var/tmp or /dev/shm
                              made executable or run (high);
    dropper_script_miner      the same and a miner launch in the same file
                              (critical);
    dropper_miner_fetch_and_run  a download or temp-dir execution together
                              with a miner launch (high);
  and a few single lines with no honest use on a server are reported on their
  own at medium (reverse shell to an address, /etc/ld.so.preload write).

  Speed: see the note at the top of miners.yar. The one-character classes
  such as [u] in (c[u]rl|w[g]et) or [s] in \| ba[s]h match exactly that
  character; they are there so that YARA's atom is the rare-leading "| ba",
  "/tmp", "64 -" rather than "curl", "exec", "base" (common first bytes make a
  scan of JavaScript trees several times slower).
*/

import "math"

/* ------------------------------------------------------------ behaviours */

private rule dropper_b_fetch_to_shell
{
    meta:
        needs_strings = true
        description = "download piped into a shell or interpreter: curl|wget ... | sh, | bash, | sudo sh, | /bin/sh, | python, | perl"
        severity = "info"
        source = "deminer; MITRE ATT&CK T1105 Ingress Tool Transfer, T1059.004 Unix Shell"
        attack = "T1105"
    strings:
        $f1 = /(c[u]rl|w[g]et)\s[^\n|;&]{0,300}\| ba[s]h[\s;)]/
        $f2 = /(c[u]rl|w[g]et)\s[^\n|;&]{0,300}\|ba[s]h[\s;)]/
        $f3 = /(c[u]rl|w[g]et)\s[^\n|;&]{0,300}\| s[h][\s;)]/
        $f4 = /(c[u]rl|w[g]et)\s[^\n|;&]{0,300}\|s[h][\s;)]/
        $f5 = /(c[u]rl|w[g]et)\s[^\n|;&]{0,300}\| su[d]o (ba|da|z)?sh[\s;)]/
        $f6 = /(c[u]rl|w[g]et)\s[^\n|;&]{0,300}\| \/(usr\/)?bi[n]\/(ba|da|z)?sh[\s;)]/
        $f7 = /(c[u]rl|w[g]et)\s[^\n|;&]{0,300}\| py[t]hon[23]?[\s;)]/
        $f8 = /(c[u]rl|w[g]et)\s[^\n|;&]{0,300}\| per[l][\s;)]/
    condition:
        any of them
}

private rule dropper_b_base64_to_shell
{
    meta:
        needs_strings = true
        description = "encoded payload decoded into a shell or a temp file: base64 -d | bash, base64 -d > /tmp/x"
        severity = "info"
        source = "seed 000 (barofarm-frontend, 2025-12-19) section 'log analysis': echo IyEvYmluL2Jhc2gK... | base64 -d | /bin/bash; MITRE ATT&CK T1140"
        attack = "T1140"
    strings:
        $b1 = /bas[e]64 -(d|D|-decode|di)[^\n|]{0,40}\|\s{0,3}(sudo\s{1,3})?(\/usr)?(\/bin\/)?(ba|da|z)?sh(\s|$|;|\))/
        $b2 = /bas[e]64 -(d|D|-decode)[^\n|]{0,40}\|\s{0,3}(python[23]?|perl)(\s|$)/
        $b3 = /bas[e]64 -(d|D|-decode)\s{0,3}>\s{0,3}["']?\/(tmp|var\/tmp|dev\/shm)\//
    condition:
        any of them
}

private rule dropper_b_download_to_temp
{
    meta:
        needs_strings = true
        description = "download saved into /tmp, /var/tmp or /dev/shm"
        severity = "info"
        source = "deminer; seed 000 (busybox wget saving to '/tmp/javae'); seed 001 section 2.1 (/tmp/dbus_daemon download); MITRE ATT&CK T1105"
        attack = "T1105"
    strings:
        $d1 = /(c[u]rl|w[g]et)\s[^\n|;]{0,200}(-o|-O|--output|--output-document|-P|--directory-prefix|>)[= ]?\s?["']?\/tmp\//
        $d2 = /(c[u]rl|w[g]et)\s[^\n|;]{0,200}(-o|-O|--output|--output-document|-P|--directory-prefix|>)[= ]?\s?["']?\/var\/tmp\//
        $d3 = /(c[u]rl|w[g]et)\s[^\n|;]{0,200}(-o|-O|--output|--output-document|-P|--directory-prefix|>)[= ]?\s?["']?\/dev\/shm\//
        $d4 = /c[d] \/tmp\s{0,3}(&&|;)\s{0,3}(c[u]rl|w[g]et)\s/
        $d5 = /c[d] \/var\/tmp\s{0,3}(&&|;)\s{0,3}(c[u]rl|w[g]et)\s/
        $d6 = /c[d] \/dev\/shm\s{0,3}(&&|;)\s{0,3}(c[u]rl|w[g]et)\s/
        $d7 = "saving to '/tmp/"
        $d8 = "saving to '/var/tmp/"
        $d9 = "saving to '/dev/shm/"
    condition:
        any of them
}

private rule dropper_b_temp_exec
{
    meta:
        needs_strings = true
        description = "a file in /tmp, /var/tmp or /dev/shm made executable or run"
        severity = "info"
        source = "deminer; seed 000 (/tmp/javae run), seed 001 section 2.4 (/bin/sh: /tmp/dbus_daemon); MITRE ATT&CK T1059.004"
        attack = "T1059.004"
    strings:
        $c1 = /c[h]mod\s{1,3}(-R\s{1,3})?(\+x|[ugoa]{1,3}\+[rw]{0,2}x|0?[0-7][0-7][1357]|0?[0-7][1357][0-7])\s{1,3}["']?\/tmp\//
        $c2 = /c[h]mod\s{1,3}(-R\s{1,3})?(\+x|[ugoa]{1,3}\+[rw]{0,2}x|0?[0-7][0-7][1357]|0?[0-7][1357][0-7])\s{1,3}["']?\/var\/tmp\//
        $c3 = /c[h]mod\s{1,3}(-R\s{1,3})?(\+x|[ugoa]{1,3}\+[rw]{0,2}x|0?[0-7][0-7][1357]|0?[0-7][1357][0-7])\s{1,3}["']?\/dev\/shm\//
        $c4 = /c[h]mod(Sync)?\(\s{0,3}["'`]\/tmp\//
        $r1 = /(nohu[p]|setsi[d]|exe[c]|&&|;|\|\|)\s{1,3}["']?\/tmp\/\.?[A-Za-z0-9_-]{1,64}["']?(\s|$|&|;)/
        $r2 = /(nohu[p]|setsi[d]|exe[c]|&&|;|\|\|)\s{1,3}["']?\/var\/tmp\/\.?[A-Za-z0-9_-]{1,64}["']?(\s|$|&|;)/
        $r3 = /(nohu[p]|setsi[d]|exe[c]|&&|;|\|\|)\s{1,3}["']?\/dev\/shm\/\.?[A-Za-z0-9_-]{1,64}["']?(\s|$|&|;)/
        $r4 = /\n\s{0,8}\/tmp\/\.?[A-Za-z0-9_-]{1,64}\s+-/
        $r5 = /\n\s{0,8}\/var\/tmp\/\.?[A-Za-z0-9_-]{1,64}\s+-/
        $r6 = /\n\s{0,8}\/dev\/shm\/\.?[A-Za-z0-9_-]{1,64}\s+-/
        $r7 = /(exe[c]|execSyn[c]|spaw[n]|spawnSyn[c]|execFil[e]|execFileSyn[c])\(\s{0,3}["'`]\/tmp\//
        $r8 = "/bin/sh: /tmp/"
    condition:
        any of them
}

private rule dropper_b_reverse_shell
{
    meta:
        needs_strings = true
        description = "reverse shell: /dev/tcp/HOST/PORT, nc -e /bin/sh, mkfifo piped to nc, socket dup2 to a shell"
        severity = "info"
        source = "deminer; seed 001 section 1.3 (reverse shell C2 72.62.186.16:4449); MITRE ATT&CK T1059.004"
        attack = "T1059.004"
    strings:
        $t1 = /\/de[v]\/tcp\/[0-9A-Za-z.-]{3,253}\/[0-9]{1,5}/
        $t2 = /\/de[v]\/udp\/[0-9A-Za-z.-]{3,253}\/[0-9]{1,5}/
        $n1 = /(nc|ncat|netcat)(\.traditional|\.openbsd)?\s[^\n|;]{0,80}-e\s{1,3}\/bin\/(ba)?sh/
        $n2 = /mkfif[o]\s{1,3}\/tmp\/[^\n]{0,120}\|\s{0,3}(nc|ncat|netcat)\s/
        $p1 = "dup2(s.fileno"
    condition:
        any of them
}

private rule dropper_b_kill_rivals
{
    meta:
        needs_strings = true
        description = "kills competing miners (xmrig, kdevtmpfsi, kinsing ...) or connections to pool ports"
        severity = "info"
        source = "deminer; Aqua Security and Trend Micro write-ups of Kinsing / TeamTNT killer scripts (pkill -f kdevtmpfsi, kill of xmrig, netstat | grep :3333 | xargs kill)"
        attack = "T1489"
    strings:
        $k1 = /(pki[l]l|kil[l]all)\s{1,3}(-9\s{1,3})?(-f\s{1,3})?[^\n;|]{0,20}(xmrig|kdevtmpfsi|kinsing|kworkerds|kthreaddi|javae|xmr-stak|dbu[s]_daemon)/
        $k2 = /gre[p][^\n]{0,80}(xmrig|kdevtmpfsi|kinsing|kworkerds|kthreaddi|xmr-stak)[^\n]{0,120}(xargs\s{1,3}(-r\s{1,3})?kil[l]|kil[l]\s{1,3}-9)/
        $k3 = /kil[l]\s{1,3}-9\s{1,3}\$\((p[g]rep|p[i]dof)\s{1,3}(-f\s{1,3})?[^\n)]{0,30}(xmrig|kdevtmpfsi|kinsing|kworkerds|kthreaddi|xmr-stak)/
        $k4 = /n[e]t[s]tat[^\n]{0,40}gre[p][^\n]{0,40}:(3333|4444|5555|7777|14444|14433|1012[8]|45700)[^\n]{0,120}kil[l]/
        $k5 = /r[m]\s{1,3}-r?f\s{1,3}\/(tmp|var\/tmp)\/(xmrig|kdevtmpfsi|kinsing)/
    condition:
        any of them
}

private rule dropper_b_immutable
{
    meta:
        needs_strings = true
        description = "chattr -i / +i: unlock files to overwrite, lock them against removal"
        severity = "info"
        source = "deminer; seed 000 (chattr attempted), seed 001 section 6.1 (system-check set chattr +i); MITRE ATT&CK T1222.002"
        attack = "T1222.002"
    strings:
        $a1 = /c[h]a[t]t[r]\s{1,3}(-R\s{1,3})?-i /
        $a2 = /c[h]a[t]t[r]\s{1,3}(-R\s{1,3})?\+i /
        $a3 = /c[h]a[t]t[r]\s{1,3}(-R\s{1,3})?-ia /
        $a4 = /c[h]a[t]t[r]\s{1,3}(-R\s{1,3})?\+ia /
    condition:
        any of them
}

private rule dropper_b_defence_off
{
    meta:
        needs_strings = true
        description = "turns defences off: ufw disable, iptables -F, SELinux disabled by sed, shell history off"
        severity = "info"
        source = "deminer; seed 000 (iptables manipulation attempted); MITRE ATT&CK T1562.004 Disable or Modify System Firewall, T1562.001, T1070.003"
        attack = "T1562.004"
    strings:
        $u1 = /[u][f]w di[s][a]ble/
        $u2 = /i[p]t[a]b[l]e[s]\s{1,3}(-t\s{1,3}[a-z]{1,8}\s{1,3})?(-F|--flush)(\s|$|;|&)/
        $s2 = /sed\s[^\n]{0,60}SELINUX=disabled/
        $h1 = /u[n]se[t] H[I]STFILE/
    condition:
        any of them
}

private rule dropper_b_persistence
{
    meta:
        needs_strings = true
        description = "persistence: crontab fed from a pipe or a temp file, writes to cron dirs, systemd units, /etc/ld.so.preload, rc.local, authorized_keys"
        severity = "info"
        source = "deminer; seed 000 (/etc/systemd/system/javae.service attempted); MITRE ATT&CK T1053.003, T1543.002, T1574.006, T1098.004"
        attack = "T1053.003"
    strings:
        $c1 = /\| cr[o]n[t]ab -(\s|$|\)|;|")/
        $c2 = /\|cr[o]n[t]a[b] -(\s|$|\)|;|")/
        $c3 = /(ech[o]|print[f])\s[^\n]{0,300}>>?\s{0,3}\/etc\/cro[n]/
        $c4 = /(ech[o]|print[f])\s[^\n]{0,300}>>?\s{0,3}\/var\/spool\/cron\//
        $c5 = /cronta[b]\s{1,3}(-u\s{1,3}[a-z_][a-z0-9_-]{0,31}\s{1,3})?\/tmp\//
        $c6 = /cronta[b]\s{1,3}(-u\s{1,3}[a-z_][a-z0-9_-]{0,31}\s{1,3})?\/dev\/shm\//
        $s1 = /(>|tee( -a)?)\s{0,3}\/(etc|lib|usr\/lib)\/system[d]\/syste[m]\/[A-Za-z0-9@._-]{1,64}\.(service|timer)/
        $s2 = /(c[p]|m[v])\s[^\n]{1,200}\s\/etc\/system[d]\/syste[m]\/[A-Za-z0-9@._-]{1,64}\.(service|timer)/
        $l1 = /(>|tee( -a)?)\s{0,3}\/etc\/ld\.so\.preload/
        $r1 = /(>>|tee -a)\s{0,3}\/etc\/rc\.local/
        $k1 = /(>>|tee -a)\s{0,3}(~|\$HOME|\/root|\/home\/[a-z_][a-z0-9_-]{0,31})\/\.ssh\/authorized_keys/
    condition:
        any of them
}

private rule dropper_b_miner_launch
{
    meta:
        needs_strings = true
        description = "starts or configures a miner: stratum URL, XMRig options, a pool host with a port"
        severity = "info"
        source = "deminer; XMRig command-line options; pools as in rules/pools.yaml"
        attack = "T1496"
    strings:
        $s1 = /stratu[m]\+tcp:[\/]\//
        $s2 = /[s]t[r]a[t]u[m]\+ssl:[\/]\//
        $s3 = /stratu[m]\+tls:[\/]\//
        $x1 = "--donate-level"
        $x2 = "--cpu-max-threads-hint"
        $x3 = /--randomx-[1]gb-pages/
        $p1 = "supportxmr.com:"
        $p2 = /gulf[.]m[o]neroocea[n][.]strea[m]:[0-9]/
        $p3 = "1.nanopool.org:"
        $p4 = "2.nanopool.org:"
        $p5 = /3poo[l][.]co[m]:/
        $p6 = /3poo[l][.]or[g]:/
        $p7 = "2miners.com:"
        $p8 = /2poo[l][.]co[m]:/
        $p9 = /xmrpool[.]eu:[0-9]/
        $p10 = "minexmr.com:"
    condition:
        any of them
}

/* --------------------------------------------------------------- reported */

rule dropper_script
{
    meta:
        needs_strings = true
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
        needs_strings = true
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
        needs_strings = true
        description = "Script that downloads (into a shell or a temp dir) or runs a temp-dir file and also starts a miner"
        severity = "high"
        source = "deminer; ua-parser-js npm compromise, Oct 2021 (preinstall: curl .../jsextension -o jsextension; chmod +x; ./jsextension -k --tls ... --donate-level=1)"
        attack = "T1496"
    condition:
        filesize < 5MB and dropper_b_miner_launch and
        (dropper_b_fetch_to_shell or dropper_b_download_to_temp or dropper_b_temp_exec)
}

rule dropper_reverse_shell_oneliner
{
    meta:
        needs_strings = true
        description = "Interactive shell redirected to a TCP address: bash -i >& /dev/tcp/HOST/PORT 0>&1 and the like"
        severity = "medium"
        source = "deminer; seed 001 sections 1.3 and 6.2 (reverse shell C2 72.62.186.16:4449); MITRE ATT&CK T1059.004"
        attack = "T1059.004"
    strings:
        $i1 = /s[h]\s{1,3}-i\s{1,3}[0-9]?>&\s{0,3}\/de[v]\/tcp\/[0-9A-Za-z.-]{3,253}\/[0-9]{1,5}/
        $i2 = /exe[c]\s{1,3}[0-9]{1,3}<>\/dev\/tcp\/[0-9A-Za-z.-]{3,253}\/[0-9]{1,5}/
    condition:
        any of them
}

rule dropper_ld_preload_write
{
    meta:
        needs_strings = true
        description = "Writes to /etc/ld.so.preload (preloads a library into every process: process-hiding rootkits such as libprocesshider used by miner gangs)"
        severity = "medium"
        source = "deminer; MITRE ATT&CK T1574.006 Dynamic Linker Hijacking; public TeamTNT / Kinsing write-ups (libprocesshider via /etc/ld.so.preload)"
        attack = "T1574.006"
    strings:
        $l1 = /(ech[o]|print[f])\s[^\n]{1,200}>>?\s{0,3}\/etc\/ld\.so\.preload/
        $l2 = /te[e](\s{1,3}-a)?\s{1,3}\/etc\/ld\.so\.preload/
    condition:
        filesize < 5MB and any of them
}

rule dropper_postgres_udf
{
    meta:
        needs_strings = true
        description = "PostgreSQL used to drop and run a binary: lo_export into a temp dir, or a C function loaded from a temp dir"
        severity = "high"
        source = "seed 004 (2018-04-15 blog, 'cryptominer in my DB'): pg_largeobject + lo_export of a binary, a C UDF to run it, lshw/cpuinfo recon; Imperva 2018 'A Deep Dive into Database Attacks Part III'"
        attack = "T1105"
    strings:
        $lo1 = /l[o]_e[x]p[o]rt\s{0,3}\([^)]{0,60}'\/tmp\//
        $lo2 = /l[o]_e[x]p[o]rt\s{0,3}\([^)]{0,60}'\/var\/tmp\//
        $lo3 = /l[o]_e[x]p[o]rt\s{0,3}\([^)]{0,60}'\/dev\/shm\//
        $f1 = /'\/tmp\/[^'\n]{1,100}'\s{0,3},\s{0,3}'[A-Za-z0-9_]{1,64}'\s{0,3}(LANGUAG[E]|languag[e])\s{1,3}[Cc]\b/
        $f2 = /'\/var\/tmp\/[^'\n]{1,100}'\s{0,3},\s{0,3}'[A-Za-z0-9_]{1,64}'\s{0,3}(LANGUAG[E]|languag[e])\s{1,3}[Cc]\b/
        $f3 = /'\/dev\/shm\/[^'\n]{1,100}'\s{0,3},\s{0,3}'[A-Za-z0-9_]{1,64}'\s{0,3}(LANGUAG[E]|languag[e])\s{1,3}[Cc]\b/
        $f4 = /(LANGUAG[E]|languag[e])\s{1,3}[Cc]\b[^;]{0,200}'\/tmp\//
        $f5 = /(LANGUAG[E]|languag[e])\s{1,3}[Cc]\b[^;]{0,200}'\/var\/tmp\//
        $f6 = /(LANGUAG[E]|languag[e])\s{1,3}[Cc]\b[^;]{0,200}'\/dev\/shm\//
    condition:
        filesize < 20MB and any of them
}
