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

  The samples' MD5s are in seed_hashes.yar and rules/hash-iocs.txt. Every
  rule here states `needs_strings = true`: it cannot match a file that holds
  none of its strings, so deminer runs this file only where its Vectorscan
  pre-filter finds one.

  Note: deminer's own rule files and the seed reports contain these strings
  and match them; exclude the rule directories from file scans.
*/


rule seed000_wallet
{
    meta:
        needs_strings = true
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
        needs_strings = true
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
        needs_strings = true
        description = "A seed's C2, dropper or miner-download host used as a destination: in a URL, as host:port, in /dev/tcp/HOST/PORT, quoted in code, or nc HOST PORT (a bare address, as in a firewall rule that blocks it, does not match)"
        severity = "high"
        source = "seed 000 (barofarm-frontend, 2025-12-19): download host accrochezvous.fr (51.91.236.255:443); seed 001 (CodeB manual, 2026-02-10) sections 1.3, 5.1, 6.2: C2 72.62.186.16:4449, MoneroOcean pool 141.94.96.144:10128, XMRig download 185.202.239.150, dropper 77.110.110.55"
        attack = "T1105"
    strings:
        $a1 = /["'\/@]a[c]c[r]o[c]h[e]zvous[.]fr/
        $b1 = /[^0-9.]51\.91\.236\.255["':\/]/
        $c1 = /[^0-9.]72\.62\.186\.16["':\/]/
        $c2 = "72.62.186.16 4449"
        $d1 = /[^0-9.]141\.94\.96\.144["':\/]/
        $e1 = /[^0-9.]185\.202\.239\.150["':\/]/
        $f1 = /[^0-9.]77\.110\.110\.55["':\/]/
    condition:
        any of them
}

/* ------------------------------------------------- payload names in use */

private rule seed_payload_names
{
    meta:
        needs_strings = true
        description = "file names of the seeds' payloads, with a path or unique enough alone"
        severity = "info"
        source = "seed 000 (/tmp/javae, /tmp/cc.txt, javae.service); seed 001 section 1.2 and 6.1 (dbus_daemon, XXmOKKAJ, eBiuuDYv, n_bin, .svc_370, .svc_628, .svc_db, hunter_go, master_go.bf, system-check with chattr +i)"
        attack = "T1036.005"
    strings:
        $j1 = "/tmp/javae"
        $j2 = "/javae.service"
        $j3 = "/tmp/cc.txt"
        $d1 = "/tmp/dbus_daemon"
        $d2 = /(gre[p]|pgre[p]|pkil[l]) dbu[s]_daemon/
        $x1 = "/tmp/XXmOKKAJ"
        $x2 = "/tmp/eBiuuDYv"
        $x3 = /\/tmp\/n[_]bin/
        $s1 = /\/tmp\/[.]svc_(370|628|db)/
        $s2 = /\/var\/tmp\/[.]svc_(370|628|db)/
        $h1 = "/hunter_go"
        $h2 = "master_go.bf"
        $c1 = /c[h]a[t]t[r]\s{1,3}[-+]i[^\n]{0,80}s[y]s[t]e[m]-check/
    condition:
        any of them
}

rule seed_payload_reference
{
    meta:
        needs_strings = true
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
        needs_strings = true
        gate = ""
        description = "Dropper of a seed payload: a seed payload name together with download or execution (curl, wget, chmod, nohup, child_process, exec/spawn)"
        severity = "high"
        source = "seed 001 (CodeB manual, 2026-02-10) sections 2.1 and 2.4: the injected Next.js code downloads /tmp/dbus_daemon, runs it, checks it with ps aux | grep dbus_daemon and retries with curl; seed 000: wget saving to '/tmp/javae'"
        attack = "T1105"
    strings:
        $v1 = "wget "
        $v2 = "+x /tmp/"
        $v3 = /c[h]il[d]_process/
        $v4 = /sp[a]wn\(/
        $v5 = "saving to '/tmp/"
        $v6 = "| sh"
        $v7 = /\| ba[s]h/
    condition:
        filesize < 20MB and seed_payload_names and any of ($v*)
}
