/*
  deminer default YARA pack: cryptominers in files.

  XMRig and other CPU miners (binaries, configs, command lines in scripts),
  CryptoNight/RandomX algorithm names, stratum URLs, pool endpoints, Monero
  wallets passed to a miner, UPX-packed ELF files and browser miners in
  JavaScript.

  Meta of every rule: description, severity (critical, high, medium, low,
  info), source (a seed and its section, "deminer" for generic behaviour, or a
  public reference), attack (MITRE ATT&CK technique).

  Speed. deminer runs this pack over whole node_modules trees and container
  layers, so the strings are shaped for YARA's atoms (the 4-byte pieces its
  Aho-Corasick automaton looks for). YARA picks, per string, the first 4-byte
  window with the most non-letter bytes; scanning cost is driven mostly by how
  common the FIRST byte of each chosen atom is in the data (every occurrence of
  it leaves the automaton's root). So every string here is written so that its
  atom starts with a byte that is rare in JavaScript, source maps and
  binaries: - + / ' " | 1-7 X R U x k _ and the like, never e t a o n i s r.
  Two devices do this:
    * a string starts where the wanted atom starts ("2.xmrig.com", not
      "donate.v2.xmrig.com"; "-heavy/" for "cn-heavy/0");
    * a one-character class such as [m] in /stratu[m]\+tcp:[\/]\// matches
      exactly that character but splits the literal, so YARA cannot take an
      atom across it (here the atom becomes "+tcp").
  Check a change with `yara -r -p 2 rules/yara/*.yar DIR` (no "slowing down"
  warnings) and time it on bench/out/node_modules-project (bench/files.sh).
*/

/* ---------------------------------------------------------------- XMRig */

rule miner_xmrig_elf
{
    meta:
        needs_strings = true
        description = "ELF executable with XMRig's donation host, command-line options or banner: an XMRig build, renamed or not"
        severity = "high"
        source = "XMRig source (github.com/xmrig/xmrig): donation host donate.v2.xmrig.com, options --donate-level, --randomx-1gb-pages, --cpu-max-threads-hint, banner XMRig/<version>"
        attack = "T1496"
    strings:
        $donate = "2.xmrig.com"
        $x1 = "XMRig"
        $x2 = "xmrig"
        $x3 = "--donate-level"
        $x4 = /--randomx-[1]gb-pages/
        $x5 = "--cpu-max-threads-hint"
        $x6 = "RandomX"
        $x7 = "XMRIG_"
        $x8 = "-over-proxy"
    condition:
        uint32(0) == 0x464c457f and ($donate or 3 of ($x*))
}

rule miner_xmrig_config
{
    meta:
        needs_strings = true
        gate = "k*"
        description = "XMRig JSON configuration (config.json): a pools list with XMRig's own keys"
        severity = "high"
        source = "XMRig documentation (xmrig.com/docs/miner/config): keys pools, url, user, donate-level, donate-over-proxy, rig-id, tls-fingerprint, cpu.max-threads-hint, huge-pages, randomx.1gb-pages, algo"
        attack = "T1496"
    strings:
        $pools = /"poo[l]s"/
        $url = "\"url\""
        $k1 = /donat[e]-level"/
        $k2 = /donat[e]-over-proxy"/
        $k3 = "rig-id\""
        $k4 = /tl[s]-fingerprint"/
        $k5 = /ma[x]-threads-hint"/
        $k6 = /hug[e]-pages"/
        $k7 = "1gb-pages\""
        $k8 = "\"rx/0\""
        $k9 = "\"monero\""
        $k10 = /stratu[m]\+tcp:[\/]\//
        $k11 = /[s]t[r]a[t]u[m]\+ssl:[\/]\//
        $k12 = /stratu[m]\+tls:[\/]\//
    condition:
        filesize < 1MB and $pools and $url and 2 of ($k*)
}

/* ------------------------------------------ stratum, pools and wallets */

rule miner_stratum_protocol_elf
{
    meta:
        needs_strings = true
        description = "ELF executable speaking the stratum mining protocol (stratum URL scheme and the JSON-RPC requests \"mining.subscribe\", \"mining.authorize\", \"mining.submit\"): cpuminer, ccminer and the like"
        severity = "high"
        source = "Stratum mining protocol v1 (methods mining.subscribe, mining.authorize, mining.notify, mining.submit); cpuminer (github.com/pooler/cpuminer)"
        attack = "T1496"
    strings:
        $s1 = /stratu[m]\+tcp:[\/]\//
        $s2 = /[s]t[r]a[t]u[m]\+ssl:[\/]\//
        $s3 = /stratu[m]\+tls:[\/]\//
        $m1 = "\"mining.subscribe\""
        $m2 = "\"mining.authorize\""
        $m3 = "\"mining.submit\""
    condition:
        uint32(0) == 0x464c457f and 1 of ($s*) and 2 of ($m*)
}

rule miner_stratum_url
{
    meta:
        needs_strings = true
        description = "Stratum mining pool URL with a host and port (stratum+tcp://, stratum+ssl://, stratum+tls://)"
        severity = "medium"
        source = "Stratum mining protocol URL schemes as used by XMRig, cpuminer and pools' connection guides"
        attack = "T1496"
    strings:
        $u1 = /stratu[m]\+tcp:[\/]\/[A-Za-z0-9.-]{2,253}:[0-9]{2,5}/
        $u2 = /[s]t[r]a[t]u[m]\+ssl:[\/]\/[A-Za-z0-9.-]{2,253}:[0-9]{2,5}/
        $u3 = /stratu[m]\+tls:[\/]\/[A-Za-z0-9.-]{2,253}:[0-9]{2,5}/
    condition:
        any of them
}

rule miner_pool_endpoint
{
    meta:
        needs_strings = true
        description = "Monero mining pool host with a port, as a miner is pointed at it, or a pool's miner setup script"
        severity = "medium"
        source = "pools' own published connection endpoints, as in rules/pools.yaml (pool.supportxmr.com:3333, gulf.moneroocean.stream:10128, xmr-eu1.nanopool.org:14433, auto.c3pool.org:13333, xmr.2miners.com:2222, xmr.f2pool.com:13531, pool.minexmr.com:4444, pool.xmrpool.eu:3333); seed 000 and seed 001 section 6.2; MoneroOcean and C3Pool setup scripts (setup_moneroocean_miner.sh, setup_c3pool_miner.sh)"
        attack = "T1496"
    strings:
        $p1 = "supportxmr.com:"
        $p2 = /gulf[.]m[o]neroocea[n][.]strea[m]:[0-9]/
        $p3 = "1.nanopool.org:"
        $p12 = "2.nanopool.org:"
        $p5 = /3poo[l][.]co[m]:/
        $p6 = /3poo[l][.]or[g]:/
        $p7 = "2miners.com:"
        $p8 = /2poo[l][.]co[m]:/
        $p9 = /xmrpool[.]eu:[0-9]/
        $p10 = "minexmr.com:"
        $s1 = "_moneroocean_miner.sh"
        $s2 = "_c3pool_miner.sh"
    condition:
        any of them
}

rule miner_cmdline_in_script
{
    meta:
        needs_strings = true
        description = "Script or unit file that launches XMRig: XMRig-only options, or one of them with a pool or a wallet"
        severity = "high"
        source = "XMRig command-line options (xmrig --help); ua-parser-js npm compromise, Oct 2021 (CISA alert; preinstall ran jsextension -k --tls --rig-id ... --cpu-max-threads-hint=50 --donate-level=1 --background); seed 000 (barofarm-frontend, 2025-12-19) section 'malicious processes': /tmp/javae -o pool.supportxmr.com:443 -k --tls --cpu-max-threads-hint=60 -u 42s7..."
        attack = "T1496"
    strings:
        $o1 = "--donate-level"
        $o2 = "--cpu-max-threads-hint"
        $o3 = /--randomx-[1]gb-pages/
        $o4 = "--rig-id"
        $o5 = "--max-cpu-usage"
        $o6 = "--tls-fingerprint"
        $o7 = "-k --tls"
        $o8 = "--coin=monero"
        $o9 = "--coin monero"
        $o10 = /--algo=r[x]\//
        $o11 = "--algo rx/"
        $o12 = "--algo=cn"
        $o13 = "--algo cn"
        $o14 = /-a r[x]\/[0-9a-z]/
        $o15 = "--randomx-mode"
        $o16 = "--cpu-priority"
        $p1 = /stratu[m]\+tcp:[\/]\//
        $p2 = /[s]t[r]a[t]u[m]\+ssl:[\/]\//
        $p3 = /stratu[m]\+tls:[\/]\//
        $w1 = /-u 4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $w2 = /-u 8[0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $w3 = /-u4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $w4 = /--user[= ][48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
    condition:
        filesize < 5MB and uint32(0) != 0x464c457f and
        (2 of ($o*) or (1 of ($o*) and (1 of ($p*, $w*) or miner_pool_endpoint)))
}

rule miner_wallet_as_miner_user
{
    meta:
        needs_strings = true
        description = "Monero address (standard or integrated starting 4, subaddress starting 8) given as the miner's user/login (-u, --user, \"user\":)"
        severity = "high"
        source = "Monero address format (getmonero.org: base58, 95 characters starting 4 for standard and 8 for subaddresses, 106 for integrated); XMRig -u / --user option and \"user\" pool key"
        attack = "T1496"
    strings:
        $j1 = /"user" ?: ?"[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $j2 = /"login" ?: ?"[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $j3 = /"wallet" ?: ?"[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $c1 = /-u 4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $c2 = /-u 8[0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $c3 = /-u4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $c4 = /--user[= ][48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $c5 = /--wallet[= ][48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
    condition:
        any of them
}

rule miner_config_with_wallet
{
    meta:
        needs_strings = true
        description = "Miner set up end to end: a pool (stratum URL, pool endpoint, XMRig config or command line) and a Monero wallet as its user in the same file"
        severity = "critical"
        source = "deminer (miner_wallet_as_miner_user together with miner_stratum_url, miner_pool_endpoint, miner_xmrig_config or miner_cmdline_in_script)"
        attack = "T1496"
    condition:
        miner_wallet_as_miner_user and
        (miner_stratum_url or miner_pool_endpoint or miner_xmrig_config or miner_cmdline_in_script)
}

/* ------------------------------------------------------- algorithms */

rule miner_cryptonote_algorithms
{
    meta:
        needs_strings = true
        description = "Three or more CryptoNight / RandomX family algorithm names (as in a miner's algorithm table or help text)"
        severity = "medium"
        source = "XMRig algorithm names (xmrig.com/docs/algorithms): rx/0, rx/wow, rx/arq, rx/graft, cn-lite/1, cn-heavy/0, cn/rwz, cn/zls, cn/ccx, argon2/chukwa; RandomX"
        attack = "T1496"
    strings:
        $a1 = "RandomX"
        $a2 = "-heavy/"
        $a3 = "-lite/"
        $a4 = "2/chukwa"
        $a5 = "x/wow"
        $a6 = "x/arq"
        $a7 = "x/graft"
        $a8 = "/rwz"
        $a9 = "/zls"
        $a10 = "/ccx"
    condition:
        3 of them
}

/* ------------------------------------------------------------ packing */

rule miner_upx_packed_elf
{
    meta:
        needs_strings = true
        description = "UPX-packed ELF (UPX! header right after the ELF headers); packed binaries in temp dirs, containers and node_modules hide their strings, as miners often do"
        severity = "medium"
        source = "UPX format (github.com/upx/upx: l_info magic UPX! after the ELF program headers); MITRE ATT&CK T1027.002 Software Packing"
        attack = "T1027.002"
    strings:
        $upx = "UPX!"
    condition:
        uint32(0) == 0x464c457f and $upx in (0..1024)
}

rule miner_upx_packed_elf_with_miner_strings
{
    meta:
        needs_strings = true
        description = "UPX-packed ELF that still shows miner strings (XMRig, stratum, RandomX, mining.subscribe)"
        severity = "high"
        source = "deminer (miner_upx_packed_elf plus XMRig / stratum strings)"
        attack = "T1496"
    strings:
        $m1 = "xmrig"
        $m2 = "XMRig"
        $m3 = /stratu[m]\+tcp/
        $m4 = "RandomX"
        $m5 = "-donate-level"
        $m6 = "\"mining.subscribe\""
    condition:
        miner_upx_packed_elf and any of them
}

/* ------------------------------------------------- known miner families */

rule miner_kinsing_elf
{
    meta:
        needs_strings = true
        description = "ELF executable naming Kinsing or its miner kdevtmpfsi (the malware itself or a competitor that hunts it)"
        severity = "high"
        source = "MITRE ATT&CK S0599 Kinsing; Aqua Security, 'Threat Alert: Kinsing Malware Attacks Targeting Container Environments' (2020)"
        attack = "T1496"
    strings:
        $k1 = "kdevtmpfsi" fullword
        $k2 = "kinsing" fullword
    condition:
        uint32(0) == 0x464c457f and any of them
}

rule miner_browser_js
{
    meta:
        needs_strings = true
        description = "Browser cryptominer in JavaScript (Crypto-Loot API, webminerpool)"
        severity = "medium"
        source = "Crypto-Loot public JavaScript API (new CRLT.Anonymous(key)); webminerpool (github.com/notgiven688/webminerpool). Coinhive (defunct since 2019) is left out: its CoinHive.Anonymous has no atom with a rare leading byte"
        attack = "T1496"
    strings:
        $c1 = "CRLT.Anonymous"
        $c2 = "webminerpool"
    condition:
        filesize < 10MB and any of them
}
