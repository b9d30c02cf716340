/*
  deminer default YARA pack: cryptominers in files.

  XMRig and other CPU miners (binaries, configs, command lines in scripts),
  CryptoNight/RandomX algorithm names, stratum URLs, pool endpoints, Monero
  wallets passed to a miner, UPX-packed ELF files and browser miners in
  JavaScript.

  Speed: deminer runs this pack over whole node_modules trees and container
  layers. Every string has an atom of at least 4 distinctive bytes; regexes
  start with a literal; no nocase, no wide. Check with
    yara -r -p 2 rules/yara/*.yar DIR      (without -w: no "slowing down" warnings)

  Meta of every rule: description, severity (critical, high, medium, low,
  info), source (a seed and its section, "deminer" for generic behaviour, or
  a public reference), attack (MITRE ATT&CK technique).
*/


/* ---------------------------------------------------------------- XMRig */

rule miner_xmrig_elf
{
    meta:
        description = "ELF executable with XMRig's donation hosts, options or algorithm names: an XMRig build (renamed or not)"
        severity = "high"
        source = "XMRig source (github.com/xmrig/xmrig): kDonateHost donate.v2.xmrig.com / donate.ssl.xmrig.com, command-line options, algorithm names"
        attack = "T1496"
    strings:
        $donate1 = "donate.v2.xmrig.com"
        $donate2 = "donate.ssl.xmrig.com"
        $x1 = "xmrig.com"
        $x2 = "XMRig/"
        $x3 = "xmrig-proxy"
        $x4 = "--donate-level"
        $x5 = "--randomx-1gb-pages"
        $x6 = "--cpu-max-threads-hint"
        $x7 = "donate-over-proxy"
        $x8 = "cryptonight"
        $x9 = "randomx"
        $x10 = "XMRIG_"
        $x11 = "xmrig.json"
    condition:
        uint32(0) == 0x464c457f and (any of ($donate*) or 3 of ($x*))
}

rule miner_xmrig_config
{
    meta:
        description = "XMRig JSON configuration (config.json): a pools list with XMRig's own keys"
        severity = "high"
        source = "XMRig documentation (xmrig.com/docs/miner/config): keys pools, url, user, donate-level, rig-id, nicehash, tls-fingerprint, randomx, cpu"
        attack = "T1496"
    strings:
        $pools = "\"pools\""
        $url = "\"url\""
        $k1 = "\"donate-level\""
        $k2 = "\"donate-over-proxy\""
        $k3 = "\"rig-id\""
        $k4 = "\"nicehash\""
        $k5 = "\"tls-fingerprint\""
        $k6 = "\"max-threads-hint\""
        $k7 = "\"huge-pages\""
        $k8 = "\"1gb-pages\""
        $k9 = /"coin" ?: ?"(monero|XMR|xmr)"/
        $k10 = /"algo" ?: ?"(rx|cn|cn-lite|cn-heavy|cn-pico|argon2|ghostrider|kawpow|astrobwt)\//
        $k11 = "stratum+tcp://"
        $k12 = "stratum+ssl://"
        $k13 = "stratum+tls://"
    condition:
        filesize < 1MB and $pools and $url and 2 of ($k*)
}

/* ------------------------------------------ stratum, pools and wallets */

rule miner_stratum_protocol_elf
{
    meta:
        description = "ELF executable speaking the stratum mining protocol (stratum URL scheme and mining.* methods): cpuminer, ccminer and the like"
        severity = "high"
        source = "Stratum mining protocol (slushpool stratum v1 spec: mining.subscribe, mining.authorize, mining.notify, mining.submit); cpuminer (github.com/pooler/cpuminer)"
        attack = "T1496"
    strings:
        $s1 = "stratum+tcp://"
        $s2 = "stratum+ssl://"
        $s3 = "stratum+tls://"
        $m1 = "mining.subscribe"
        $m2 = "mining.authorize"
        $m3 = "mining.notify"
        $m4 = "mining.submit"
        $m5 = "mining.set_difficulty"
    condition:
        uint32(0) == 0x464c457f and 1 of ($s*) and 2 of ($m*)
}

rule miner_stratum_url
{
    meta:
        description = "Stratum mining pool URL with a host (stratum+tcp://, stratum+ssl://, stratum+tls://, stratum2+tcp://)"
        severity = "medium"
        source = "Stratum mining protocol URL schemes as used by XMRig, cpuminer and pools' connection guides"
        attack = "T1496"
    strings:
        $u1 = /stratum\+(tcp|ssl|tls):\/\/[A-Za-z0-9.-]{2,253}:[0-9]{2,5}/
        $u2 = /stratum2\+(tcp|ssl|tls):\/\/[A-Za-z0-9.-]{2,253}/
    condition:
        any of them
}

rule miner_pool_endpoint
{
    meta:
        description = "Monero (or other CPU-coin) mining pool host with a port, as a miner is pointed at it"
        severity = "medium"
        source = "pools' own published connection endpoints, as in rules/pools.yaml (pool.supportxmr.com:3333, gulf.moneroocean.stream:10128, xmr-eu1.nanopool.org:14433, auto.c3pool.org:13333, ...); seed 000 and seed 001 section 6.2"
        attack = "T1496"
    strings:
        $p1 = /supportxmr\.com:[0-9]{2,5}/
        $p2 = /moneroocean\.stream:[0-9]{2,5}/
        $p3 = /xmr[a-z0-9-]{0,12}\.nanopool\.org:[0-9]{2,5}/
        $p4 = /hashvault\.pro:[0-9]{2,5}/
        $p5 = /c3pool\.(com|org):[0-9]{2,5}/
        $p6 = /herominers\.com:[0-9]{2,5}/
        $p7 = /xmr[a-z0-9-]{0,12}\.2miners\.com:[0-9]{2,5}/
        $p8 = /xmr[a-z0-9-]{0,12}\.f2pool\.com:[0-9]{2,5}/
        $p9 = /kryptex\.network:[0-9]{2,5}/
        $p10 = /xmrpool\.eu:[0-9]{2,5}/
        $p11 = /monerohash\.com:[0-9]{2,5}/
        $p12 = /unmineable\.com:[0-9]{2,5}/
        $p13 = /minexmr\.com:[0-9]{2,5}/
        $p14 = /minergate\.com:[0-9]{2,5}/
        $p15 = /randomxmonero\.[a-z-]{2,12}\.nicehash\.com:[0-9]{2,5}/
        $p16 = /luckpool\.net:[0-9]{2,5}/
        $p17 = /zergpool\.com:[0-9]{2,5}/
        $s1 = "setup_moneroocean_miner.sh"
        $s2 = "setup_c3pool_miner.sh"
    condition:
        any of them
}

rule miner_cmdline_in_script
{
    meta:
        description = "Script or unit file that launches XMRig: XMRig-only options, or one of them with a pool or a wallet"
        severity = "high"
        source = "XMRig command-line options (xmrig --help); ua-parser-js npm compromise 2021 (CISA alert, GHSA-pjwm-rvh2-c87w: preinstall ran jsextension -k --tls --rig-id ... --cpu-max-threads-hint=50 --donate-level=1 --background); seed 000 (barofarm-frontend, 2025-12-19) section 'process': /tmp/javae -o pool.supportxmr.com:443 -k --tls --cpu-max-threads-hint=60 -u 42s7..."
        attack = "T1496"
    strings:
        $o1 = "--donate-level"
        $o2 = "--cpu-max-threads-hint"
        $o3 = "--randomx-1gb-pages"
        $o4 = "--rig-id"
        $o5 = "--max-cpu-usage"
        $o6 = "--tls-fingerprint"
        $o7 = "-k --tls"
        $o8 = "--coin=monero"
        $o9 = "--coin monero"
        $o10 = /(--algo[= ]|-a )(rx|cn|cn-lite|cn-heavy|cn-pico|argon2|ghostrider)\/[0-9a-z]{1,8}/
        $o11 = "--randomx-mode"
        $o12 = "--cpu-priority"
        $p1 = "stratum+tcp://"
        $p2 = "stratum+ssl://"
        $p3 = "stratum+tls://"
        $w1 = /-u ?[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $w2 = /--user[= ][48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
    condition:
        filesize < 5MB and uint32(0) != 0x464c457f and
        (2 of ($o*) or (1 of ($o*) and (1 of ($p*, $w*) or miner_pool_endpoint)))
}

rule miner_wallet_as_miner_user
{
    meta:
        description = "Monero address (standard or integrated starting 4, subaddress starting 8) given as the miner's user/login (-u, --user, \"user\":)"
        severity = "high"
        source = "Monero address format (getmonero.org: 95 base58 characters, network byte 4 for standard and 8 for subaddress, 106 for integrated); XMRig -u / \"user\" option"
        attack = "T1496"
    strings:
        $j1 = /"user" ?: ?"[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $j2 = /"login" ?: ?"[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $j3 = /"wallet" ?: ?"[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $c1 = /-u ?[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $c2 = /--user[= ][48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $c3 = /--wallet[= ][48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
    condition:
        any of them
}

rule miner_config_with_wallet
{
    meta:
        description = "Miner set up end to end: a pool (stratum URL, pool endpoint or XMRig config) and a Monero wallet as its user in the same file"
        severity = "critical"
        source = "deminer (combination of miner_wallet_as_miner_user with miner_stratum_url, miner_pool_endpoint or miner_xmrig_config)"
        attack = "T1496"
    condition:
        miner_wallet_as_miner_user and
        (miner_stratum_url or miner_pool_endpoint or miner_xmrig_config or miner_cmdline_in_script)
}

/* ------------------------------------------------------- algorithms */

rule miner_cryptonote_algorithms
{
    meta:
        description = "Three or more CryptoNight / RandomX family algorithm names (as in a miner's algorithm table or help text)"
        severity = "medium"
        source = "XMRig algorithm names (xmrig.com/docs/algorithms): rx/0, rx/wow, rx/arq, cn/r, cn/0, cn/half, cn-lite/1, cn-heavy/0, cn-pico, argon2/chukwa, ghostrider"
        attack = "T1496"
    strings:
        $a1 = "cryptonight"
        $a2 = "CryptoNight"
        $a3 = "randomx"
        $a4 = "RandomX"
        $a5 = "rx/wow"
        $a6 = "rx/arq"
        $a7 = "cn/half"
        $a8 = "cn-lite/"
        $a9 = "cn-heavy/"
        $a10 = "cn-pico"
        $a11 = "argon2/chukwa"
        $a12 = "ghostrider"
        $a13 = "cn/ccx"
        $a14 = "rx/graft"
        $a15 = "cn/rwz"
        $a16 = "cn/zls"
    condition:
        3 of them
}

/* ------------------------------------------------------------ packing */

rule miner_upx_packed_elf
{
    meta:
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
        description = "UPX-packed ELF that still shows miner strings (xmrig, stratum, RandomX, pools)"
        severity = "high"
        source = "deminer (miner_upx_packed_elf plus XMRig / stratum strings)"
        attack = "T1496"
    strings:
        $m1 = "xmrig"
        $m2 = "XMRig"
        $m3 = "stratum+"
        $m4 = "randomx"
        $m5 = "cryptonight"
        $m6 = "donate-level"
        $m7 = "mining.subscribe"
    condition:
        miner_upx_packed_elf and any of them
}

/* ------------------------------------------------- known miner families */

rule miner_kinsing_elf
{
    meta:
        description = "ELF executable naming Kinsing or its miner kdevtmpfsi (the malware itself or a competitor that hunts it)"
        severity = "high"
        source = "MITRE ATT&CK S0599 Kinsing; Aqua Security, 'Threat Alert: Kinsing Malware Attacks Targeting Container Environments' (2020)"
        attack = "T1496"
    strings:
        $k1 = "kdevtmpfsi"
        $k2 = "kinsing"
    condition:
        uint32(0) == 0x464c457f and any of them
}

rule miner_browser_js
{
    meta:
        description = "Browser cryptominer in JavaScript (Coinhive, CryptoLoot, webminer loaders and their CryptoNight WebAssembly)"
        severity = "medium"
        source = "Coinhive / Authedmine / CryptoLoot public JavaScript APIs (CoinHive.Anonymous, CRLT.Anonymous); event-stream and ua-parser-js era npm miner reports"
        attack = "T1496"
    strings:
        $c1 = "CoinHive.Anonymous"
        $c2 = "CoinHive.User"
        $c3 = "CoinHive.Token"
        $c4 = "coinhive.min.js"
        $c5 = "authedmine.min.js"
        $c6 = "CRLT.Anonymous"
        $c7 = "cryptonight.wasm"
        $c8 = "cryptonight-asmjs"
        $c9 = "webminerpool"
    condition:
        filesize < 10MB and any of them
}
