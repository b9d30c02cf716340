/*
 * The seeds' samples by hash (seed 001, section 6.1). The same MD5s are in
 * rules/hash-iocs.txt, which file.hash-ioc checks; these rules give the same
 * answer through YARA for tools that only read YARA. Every rule here is only
 * a digest comparison with filesize bounds, so deminer answers the file from
 * the MD5 its walk computes anyway (the digest gate in match/yara_rules.h),
 * without YARA hashing the file a second time.
 */
import "hash"

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

