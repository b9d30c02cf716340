/*
  deminer default YARA pack: indicators from the seed incident reports.

  seed 000  barofarm-frontend Next.js container, 2025-12-19: /tmp/javae
            (XMRig) from accrochezvous.fr (51.91.236.255), pool
            pool.supportxmr.com:443, wallet 42s7H81w...h4kks2,
            /etc/systemd/system/javae.service, /tmp/cc.txt.
  seed 001  CodeB backdoor manual, 2026-02-10: npm supply-chain injection
            into .next bundles; /tmp/dbus_daemon, XXmOKKAJ, eBiuuDYv, n_bin,
            .svc_370/.svc_628/.svc_db, hunter_go, master_go.bf, system-check
            (chattr +i); C2 72.62.186.16:4449, pool 141.94.96.144:10128,
            XMRig download 185.202.239.150, dropper 77.110.110.55; wallets
            42Y5J2gN...H1WU4yqS, 492zTyp9...Jtnewy (given truncated).
  seed 004  2018 blog, PostgreSQL lo_export + C UDF miner drop: generic
            behaviour, see dropper_postgres_udf in droppers.yar.

  The MD5s are the ones in rules/hash-iocs.txt. Hashing runs only for files
  whose size is close to the size the report gives (ls-style MB or MiB), so
  the rest of a tree is never hashed by these rules.

  Note: deminer's own rule files and the seed reports contain these strings
  and match them; exclude the rule directories from file scans.
*/

import "hash"

/* ---------------------------------------------------------------- hashes */

rule seed001_dbus_daemon_md5
{
    meta:
        description = "dbus_daemon, the ~4 MB miner seed 001 found in the containers' /tmp (MD5 match)"
        severity = "critical"
        source = "seed 001 (CodeB manual, 2026-02-10) section 6.1: dbus_daemon ~4MB MD5 0183ffb97a996d80f25a63dbeda24cd2; rules/hash-iocs.txt"
        attack = "T1496"
    condition:
        filesize > 3000000 and filesize < 5300000 and
        hash.md5(0, filesize) == "0183ffb97a996d80f25a63dbeda24cd2"
}

rule seed001_hunter_go_md5
{
    meta:
        description = "hunter_go, the 6.3 MB payload seed 001 found in the host's /var/tmp (MD5 match)"
        severity = "critical"
        source = "seed 001 (CodeB manual, 2026-02-10) section 6.1: hunter_go 6.3MB MD5 a685520640ab39dc4053527083610fc8; rules/hash-iocs.txt"
        attack = "T1496"
    condition:
        filesize > 5900000 and filesize < 6900000 and
        hash.md5(0, filesize) == "a685520640ab39dc4053527083610fc8"
}

rule seed001_master_go_bf_md5
{
    meta:
        description = "master_go.bf, the 128 MB payload seed 001 found in the host's /var/tmp (MD5 match)"
        severity = "critical"
        source = "seed 001 (CodeB manual, 2026-02-10) section 6.1: master_go.bf 128MB MD5 8adf36f67387c3f666ae4b33de309c7b; rules/hash-iocs.txt"
        attack = "T1496"
    condition:
        filesize > 120000000 and filesize < 140000000 and
        hash.md5(0, filesize) == "8adf36f67387c3f666ae4b33de309c7b"
}

/* --------------------------------------------------------------- wallets */

rule seed000_wallet
{
    meta:
        description = "Seed 000's Monero wallet (the one /tmp/javae mined to on pool.supportxmr.com)"
        severity = "critical"
        source = "seed 000 (barofarm-frontend incident, 2025-12-19) section 'malicious processes': -u 42s7H81wKKbggZsnd5geEeC7ANWUDhkqf7xhdSgaBd9ZE61qwwh7ch1gBQkE5FbvabAdNTeNV18nBNTpioUqmgHj4h4kks2"
        attack = "T1496"
    strings:
        $w = "42s7H81wKKbggZsnd5geEeC7ANWUDhkqf7xhdSgaBd9ZE61qwwh7ch1gBQkE5FbvabAdNTeNV18nBNTpioUqmgHj4h4kks2"
    condition:
        $w
}

rule seed001_wallets
{
    meta:
        description = "A full Monero address matching one of seed 001's wallets (MoneroOcean 42Y5J2gN...H1WU4yqS, SupportXMR 492zTyp9...Jtnewy; the report gives them truncated)"
        severity = "critical"
        source = "seed 001 (CodeB manual, 2026-02-10) section 1.3: wallet 1 42Y5J2gN...H1WU4yqS (MoneroOcean), wallet 2 492zTyp9...Jtnewy (SupportXMR)"
        attack = "T1496"
    strings:
        $w1 = /42Y5J2gN[1-9A-HJ-NP-Za-km-z]{79}H1WU4yqS/
        $w2 = /492zTyp9[1-9A-HJ-NP-Za-km-z]{81}Jtnewy/
    condition:
        any of them
}

/* ------------------------------------------------ C2, dropper, pool hosts */

rule seed_c2_hosts_in_use
{
    meta:
        description = "A seed's C2, dropper or miner-download host used as a destination (URL, host:port, /dev/tcp, wget/busybox log line, quoted in code)"
        severity = "high"
        source = "seed 000 (barofarm-frontend, 2025-12-19): download host accrochezvous.fr (51.91.236.255:443); seed 001 (CodeB manual, 2026-02-10) sections 1.3, 5.1, 6.2: C2 72.62.186.16:4449, MoneroOcean pool 141.94.96.144:10128, XMRig download 185.202.239.150, dropper 77.110.110.55"
        attack = "T1105"
    strings:
        $a1 = "://accrochezvous.fr"
        $a2 = "accrochezvous.fr/"
        $a3 = "accrochezvous.fr:"
        $a4 = "Connecting to accrochezvous.fr"
        $a5 = "\"accrochezvous.fr\""
        $a6 = "'accrochezvous.fr'"
        $b1 = "://51.91.236.255"
        $b2 = "51.91.236.255:"
        $b3 = "/dev/tcp/51.91.236.255/"
        $b4 = "\"51.91.236.255\""
        $b5 = "'51.91.236.255'"
        $c1 = "://72.62.186.16"
        $c2 = "72.62.186.16:"
        $c3 = "/dev/tcp/72.62.186.16/"
        $c4 = "\"72.62.186.16\""
        $c5 = "'72.62.186.16'"
        $c6 = "72.62.186.16 4449"
        $d1 = "://141.94.96.144"
        $d2 = "141.94.96.144:"
        $d3 = "\"141.94.96.144\""
        $d4 = "'141.94.96.144'"
        $e1 = "://185.202.239.150"
        $e2 = "185.202.239.150:"
        $e3 = "\"185.202.239.150\""
        $e4 = "'185.202.239.150'"
        $f1 = "://77.110.110.55"
        $f2 = "77.110.110.55:"
        $f3 = "/dev/tcp/77.110.110.55/"
        $f4 = "\"77.110.110.55\""
        $f5 = "'77.110.110.55'"
    condition:
        any of them
}

/* ------------------------------------------------- payload names in use */

private rule seed_payload_names
{
    meta:
        description = "file names of the seeds' payloads, with a path or unique enough alone"
        severity = "info"
        source = "seed 000 (/tmp/javae, /tmp/cc.txt, javae.service); seed 001 section 1.2 and 6.1 (dbus_daemon, XXmOKKAJ, eBiuuDYv, n_bin, .svc_370, .svc_628, .svc_db, hunter_go, master_go.bf, system-check with chattr +i)"
        attack = "T1036.005"
    strings:
        $j1 = "/tmp/javae"
        $j2 = "javae.service"
        $j3 = "/tmp/cc.txt"
        $d1 = "/tmp/dbus_daemon"
        $d2 = "grep dbus_daemon"
        $d3 = "pgrep dbus_daemon"
        $d4 = "pkill dbus_daemon"
        $x1 = "XXmOKKAJ"
        $x2 = "eBiuuDYv"
        $x3 = "/tmp/n_bin"
        $s1 = /\/(var\/)?tmp\/\.svc_(370|628|db)/
        $h1 = "hunter_go"
        $h2 = "master_go.bf"
        $c1 = /chattr\s{1,3}[-+]i[^\n]{0,80}system-check/
    condition:
        any of them
}

rule seed_payload_reference
{
    meta:
        description = "A file naming a seed payload (logs, scripts, bundles): /tmp/javae, /tmp/dbus_daemon, XXmOKKAJ, eBiuuDYv, .svc_370, hunter_go, master_go.bf ..."
        severity = "medium"
        source = "seed 000 (barofarm-frontend, 2025-12-19) sections 'malicious files' and 'attempted attacks'; seed 001 (CodeB manual, 2026-02-10) sections 1.2, 2.4, 6.1"
        attack = "T1036.005"
    condition:
        filesize < 20MB and seed_payload_names
}

rule seed_payload_dropper
{
    meta:
        description = "Dropper of a seed payload: a seed payload name together with download or execution (curl, wget, chmod, nohup, child_process, exec/spawn)"
        severity = "high"
        source = "seed 001 (CodeB manual, 2026-02-10) sections 2.1 and 2.4: the injected Next.js code downloads /tmp/dbus_daemon, runs it, checks it with ps aux | grep dbus_daemon and retries with curl; seed 000: wget saving to '/tmp/javae'"
        attack = "T1105"
    strings:
        $v1 = "curl "
        $v2 = "wget "
        $v3 = "chmod "
        $v4 = "nohup "
        $v5 = "child_process"
        $v6 = "execSync("
        $v7 = "spawn("
        $v8 = "saving to '"
        $v9 = "command -v curl"
    condition:
        filesize < 20MB and seed_payload_names and any of ($v*)
}
