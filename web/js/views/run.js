// One run: its record (times, digests, chain), what it left out (filters), evidence gaps, policy issues and control statuses.
import { api } from '../api.js';
import { clip, dl, fmtDuration, fmtTime, h, pct100, section, severityChip, statusBadge, table, warningChip } from '../dom.js';

export async function render(root, ctx) {
  const d = await api(`/api/runs/${encodeURIComponent(ctx.id)}`);
  const r = d.run;
  ctx.showCluster?.(d.cluster.id);
  const clusterQ = `cluster=${encodeURIComponent(d.cluster.id)}`;
  root.appendChild(h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: `/runs?${clusterQ}` }, 'Runs'), ' › ', h('span', { 'aria-current': 'page' }, r.runId)));
  root.appendChild(h('div', { class: 'pagehead' },
    h('h1', null, 'Run ', h('span', { class: 'mono' }, r.runId)),
    h('p', { class: 'sub' }, clip(d.cluster.label, 80), ` · evidence of ${fmtTime(r.at)} · score ${pct100(r.score)}`),
    h('p', { class: 'links' },
      d.previous ? h('a', { href: `/runs/${encodeURIComponent(d.previous)}` }, '‹ Previous run') : null, d.previous ? ' · ' : null,
      d.previous ? h('a', { href: `/diff?from=${encodeURIComponent(d.previous)}&to=${encodeURIComponent(r.runId)}` }, 'Compare with the previous run') : null,
      d.previous && d.next ? ' · ' : null,
      d.next ? h('a', { href: `/runs/${encodeURIComponent(d.next)}` }, 'Next run ›') : null)));

  root.appendChild(h('div', { class: 'grid2' },
    section('Record', dl([
      ['Cluster', clip(d.cluster.key, 200, 'mono')],
      ['Evidence time', fmtTime(r.at)],
      ['Stored', fmtTime(r.storedAt)],
      ['Collection', `${fmtTime(r.startedAt)} → ${fmtTime(r.finishedAt)} (${fmtDuration(r.durationSeconds)})`],
      ['Sources', `Kubernetes: ${r.sources.kubernetes} · AWS: ${r.sources.aws}`],
      ['Collected by', r.collectorIdentity ? clip(r.collectorIdentity, 200) : '—'],
      ['Versions', `eks-soc2 ${r.toolVersion} · catalog ${r.catalogVersion}`],
      r.selection ? ['Selection', [...(r.selection.controls ?? []), ...(r.selection.sections ?? [])].join(', ')] : null,
      ['Snapshot digest', h('span', { class: 'mono small digest' }, r.snapshotDigest)],
      ['Chain', h('span', { class: 'mono small digest' }, `#${r.seq} ${r.hash} (previous ${r.prevHash})`)],
    ])),
    section('Summary', dl([
      ['Score', pct100(d.summary.score)],
      ['Controls', ['pass', 'fail', 'manual', 'waived', 'error', 'not-applicable'].map((s) => `${s} ${d.summary.controls[s]}`).join(' · ')],
      ['Findings', `${d.summary.findings.fail} failing · ${d.summary.findings.warn} warnings (in ${d.summary.controlsWithWarnings} control(s)) · ${d.summary.findings.pass} passing · ${d.summary.findings.waived} waived${d.summary.findings.error ? ` · ${d.summary.findings.error} not evaluated` : ''}`],
      ['Waivers applied', String(d.waivers.applied)],
      ['Attestations in force', String(d.attestations.inForce.length)],
    ]))));

  // What the run left out (scan --skip-control, --skip-rule, --namespace, --exclude-namespace): never a silent pass.
  const f = r.filters ?? {};
  const ns = 'namespaced findings only; cluster-scoped and AWS findings kept';
  const leftOut = [
    ['Skipped controls', 'not evaluated, not in the score', f.skipControls],
    ['Skipped rules', 'not evaluated', f.skipRules],
    ['Only namespaces', ns, f.namespaces],
    ['Excluding namespaces', ns, f.excludeNamespaces],
  ].filter(([, , v]) => Array.isArray(v) && v.length);
  if (leftOut.length) {
    const panel = section('Left out of this run', dl(leftOut.map(([k, note, v]) => [k, [clip(v.join(', '), 400, 'mono'), h('span', { class: 'muted small' }, ` (${note})`)]])));
    panel.id = 'left-out';
    root.appendChild(panel);
  }

  const gaps = section('Evidence gaps', d.gaps.length
    ? table({
      caption: 'Evidence that could not be collected', head: ['Source', 'What', 'Reason', 'Message', 'Fix'],
      rows: d.gaps.map((g) => h('tr', null, h('td', null, g.source), h('td', null, clip(g.target, 100, 'mono small')), h('td', null, g.reason),
        h('td', null, clip(g.message, 300)), h('td', null, g.fix ? clip(g.fix, 300) : g.permission ? clip(`grant ${g.permission}`, 200) : '—'))),
    })
    : h('p', null, 'Every piece of evidence the run needed was collected.'));
  gaps.id = 'gaps';
  root.appendChild(gaps);

  const issues = [
    ...d.waivers.issues.map((i) => `Waiver ${i.id ?? ''} (${i.problem}): ${i.message}`),
    ...d.attestations.issues.map((i) => `Attestation ${i.control ?? ''} (${i.problem}): ${i.message}`),
  ];
  if (issues.length) root.appendChild(section('Waiver and attestation issues', h('ul', { class: 'plain' }, issues.map((t) => h('li', null, clip(t, 400))))));

  root.appendChild(section('Controls', table({
    caption: 'Status of every control in this run',
    head: ['Control', 'Section', 'Severity', 'Status', h('th', { scope: 'col', class: 'n' }, 'Failing'), h('th', { scope: 'col', class: 'n' }, 'Warnings')],
    rows: d.controls.map((c) => h('tr', null,
      h('td', null, h('a', { class: 'mono', href: `/controls/${encodeURIComponent(c.id)}?${clusterQ}` }, c.id), ' ', clip(c.title, 100)),
      h('td', null, c.section), h('td', null, severityChip(c.severity)),
      h('td', null, statusBadge(c.status), c.unevaluated ? h('span', { class: 'muted small' }, ` ${c.unevaluated} rule(s) not evaluated`) : null),
      h('td', { class: 'n' }, String(c.failing)), h('td', { class: 'n' }, c.warnings ? warningChip(c.warnings) : '0'))),
  })));
  return `Run ${r.runId}`;
}
