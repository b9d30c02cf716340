// The peer of bench/npm_audit.sh: what a Node.js audit script does with the
// same input deminer reads. It loads every OSV record (*.json, recursively)
// and the consolidated malicious list from ADVISORY_DIR, parses the lockfile,
// and matches every distinct package@version with OSV's range evaluation,
// using npm's own `semver` package (installed by the benchmark into
// bench/out). Prints one JSON line: the matched package@version set, its
// size, and the time spent inside the script.
//
// Usage: node bench/npm_audit_peer.js SEMVER_MODULE_DIR ADVISORY_DIR LOCKFILE
'use strict';
const fs = require('fs');
const path = require('path');
const t0 = process.hrtime.bigint();
const [semverDir, advisoryDir, lockfile] = process.argv.slice(2);
const semver = require(semverDir);

// name -> [{ranges: [[{k, v}]], versions: Set, every: bool, malicious: bool}]
const byName = new Map();
function add(name, entry) {
  if (!byName.has(name)) byName.set(name, []);
  byName.get(name).push(entry);
}

function eventOrder(a, b) {
  const rank = (e) => (e.v === null ? (e.k === 'limit' ? 2 : 0) : 1);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  return rank(a) === 1 ? semver.compare(a.v, b.v) : 0;
}

function loadRecord(rec) {
  if (!rec || typeof rec !== 'object' || rec.withdrawn || !Array.isArray(rec.affected)) return;
  const malicious = (rec.id || '').startsWith('MAL-') || rec.id === '';
  for (const aff of rec.affected) {
    if (!aff.package || aff.package.ecosystem !== 'npm' || !aff.package.name) continue;
    const ranges = [];
    for (const r of aff.ranges || []) {
      if (r.type !== 'SEMVER' && r.type !== 'ECOSYSTEM') continue;
      const events = [];
      let ok = true;
      for (const e of r.events || []) {
        const [k, v] = Object.entries(e)[0] || [];
        if (!['introduced', 'fixed', 'last_affected', 'limit'].includes(k)) continue;
        if ((k === 'introduced' && v === '0') || (k === 'limit' && v === '*')) {
          events.push({ k, v: null });
        } else {
          const parsed = semver.parse(v);
          if (!parsed) { ok = false; break; }
          events.push({ k, v: parsed });
        }
      }
      if (ok && events.length) ranges.push(events.sort(eventOrder));
    }
    const versions = new Set(aff.versions || []);
    if (ranges.length || versions.size) add(aff.package.name, { ranges, versions, every: false, malicious });
  }
}

function walk(dir) {
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) walk(p);
    else if (ent.isFile() && ent.name.endsWith('.json')) {
      let j;
      try { j = JSON.parse(fs.readFileSync(p, 'utf8')); } catch { continue; }
      if (j && !Array.isArray(j) && !('id' in j) && !('affected' in j)) {
        // the consolidated list: {"name": {"versions": [...]}}, [] = every version
        for (const [name, v] of Object.entries(j)) {
          if (!v || !Array.isArray(v.versions)) continue;
          add(name, { ranges: [], versions: new Set(v.versions), every: v.versions.length === 0, malicious: true });
        }
      } else if (Array.isArray(j)) {
        j.forEach(loadRecord);
      } else {
        loadRecord(j);
      }
    }
  }
}

function inRange(v, events) {
  let affected = false;
  let limited = false;
  let belowLimit = false;
  for (const e of events) {
    if (e.k === 'limit') {
      limited = true;
      if (e.v === null || semver.lt(v, e.v)) belowLimit = true;
    } else if (e.k === 'introduced') {
      if (e.v === null || semver.gte(v, e.v)) affected = true;
    } else if (e.k === 'fixed') {
      if (semver.gte(v, e.v)) affected = false;
    } else if (semver.gt(v, e.v)) {
      affected = false;
    }
  }
  return affected && (!limited || belowLimit);
}

walk(advisoryDir);
const t1 = process.hrtime.bigint();

const lock = JSON.parse(fs.readFileSync(lockfile, 'utf8'));
const seen = new Set();
const matched = new Set();
for (const [key, pkg] of Object.entries(lock.packages || {})) {
  if (key === '' || pkg.link) continue;
  const name = pkg.name || key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const id = `${name}@${pkg.version}`;
  if (seen.has(id)) continue;
  seen.add(id);
  const entries = byName.get(name);
  if (!entries) continue;
  const v = semver.parse(pkg.version);
  for (const e of entries) {
    const hit = e.every || e.versions.has(pkg.version) ||
      e.ranges.some((r) => (v ? inRange(v, r) : r.length > 0 && r.every((x) => x.k === 'introduced') && r[0].v === null));
    if (hit) { matched.add(id); break; }
  }
}
const t2 = process.hrtime.bigint();
console.log(JSON.stringify({
  packages: seen.size,
  advisory_names: byName.size,
  matched: [...matched].sort(),
  count: matched.size,
  load_ms: Number(t1 - t0) / 1e6,
  match_ms: Number(t2 - t1) / 1e6,
}));
