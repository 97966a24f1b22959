// One control: what it checks, who owns it, its evidence, failing and passing resources (paged),
// waivers and attestations, the fix, and every sample of it in a period, each linked to its run.
/* global URLSearchParams */
import { api } from '../api.js';
import { strip } from '../charts.js';
import {
  STATUS_TEXT, clip, dl, fmtDay, fmtHours, fmtTime, h, lines, pager, pct, resourceLabel, section, severityChip, statusBadge, table, verdictBadge, warningChip,
} from '../dom.js';

const PAGE = 25;
const SAMPLE_PAGE = 50;
const TABS = [['fail', 'Failing'], ['warn', 'Warnings'], ['error', 'Not evaluated'], ['pass', 'Passing'], ['waived', 'Waived'], ['', 'All']];

function owners(list) {
  return list.length ? list.map((r) => (r.owner ? `${r.owner} (${r.role})` : r.role)).join(', ') : '—';
}

function findingsSection(ctx, detail) {
  const c = detail.control;
  const counts = c.findingCounts;
  let status = ctx.params.get('findings') ?? (counts.fail ? 'fail' : counts.warn ? 'warn' : counts.pass ? 'pass' : '');
  let offset = 0;
  let q = '';
  const body = h('div', { class: 'findings-body', 'aria-live': 'polite' });
  const buttons = [];

  async function load() {
    const page = await api(`/api/runs/${encodeURIComponent(detail.run.runId)}/findings`, { control: c.id, status, q, offset, limit: PAGE });
    while (body.firstChild) body.removeChild(body.firstChild);
    body.appendChild(table({
      caption: `${TABS.find((t) => t[0] === status)?.[1] ?? 'All'} resources of ${c.id}`,
      head: ['Resource', 'Rule', 'Severity', 'Status', 'Message'],
      empty: q ? 'No resource matches the search.' : 'No resource in this list.',
      rows: page.items.map((x) => h('tr', null,
        h('td', null, clip(resourceLabel(x.resource), 90, 'mono'), x.resource.arn ? h('div', { class: 'muted small' }, clip(x.resource.arn, 90)) : null, x.source ? h('div', { class: 'muted small' }, clip(`${x.source.file}${x.source.line ? `:${x.source.line}` : ''}`, 90)) : null),
        h('td', { class: 'mono small' }, clip(x.rule, 40)),
        h('td', null, severityChip(x.severity)),
        h('td', null, statusBadge(x.status), x.waiver ? h('div', { class: 'muted small' }, clip(`waiver ${x.waiver.id}`, 40)) : null),
        h('td', null, clip(x.message, 300)))),
    }));
    body.appendChild(pager({ total: page.total, offset: page.offset, limit: page.limit, label: 'resources', onPage: (o) => { offset = o; load(); } }));
  }

  const tabs = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Which resources to list' }, TABS.map(([value, label]) => {
    const n = value ? counts[value] : counts.total - counts.system;
    const b = h('button', {
      type: 'button', 'aria-pressed': String(value === status), id: `findings-${value || 'all'}`,
      onclick: () => {
        status = value;
        offset = 0;
        for (const x of buttons) x.setAttribute('aria-pressed', String(x === b));
        const p = new URLSearchParams(ctx.params);
        p.set('findings', value);
        ctx.updateQuery(p);
        load();
      },
    }, `${label} (${n})`);
    buttons.push(b);
    return b;
  }));
  const search = h('input', { id: 'findings-q', type: 'search', autocomplete: 'off', placeholder: 'name, namespace, message…' });
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { q = search.value; offset = 0; load(); }, 150);
  });
  const s = section('Resources',
    h('div', { class: 'toolbar' }, tabs, h('div', { class: 'field' }, h('label', { for: 'findings-q' }, 'Search resources'), search)),
    counts.system ? h('p', { class: 'muted small' }, `${counts.system} finding(s) in system namespaces are not counted in the status and not listed here.`) : null,
    body);
  return { node: s, load };
}

/** The control's rules with their level, and the rules not evaluated in the newest run with what was not read. */
function rulesSection(c) {
  const rules = c.rules ?? [];
  const unevaluated = c.unevaluated ?? [];
  return section('Rules',
    h('p', { class: 'muted small' }, 'A failed required rule fails the control; a failed recommended rule is a warning, shown and counted, never a failure.'),
    rules.length
      ? table({
        caption: `Rules of ${c.id}`,
        head: ['Rule', 'Checks', 'Level', 'Severity'],
        rows: rules.map((r) => h('tr', null, h('td', { class: 'mono small' }, clip(r.id, 40)), h('td', null, clip(r.title, 200)), h('td', null, r.level), h('td', null, severityChip(r.severity)))),
      })
      : h('p', { class: 'muted' }, 'This run did not record the rules\' levels (it was stored before warnings existed).'),
    h('h3', { id: 'not-evaluated' }, `Not evaluated (${unevaluated.length})`),
    unevaluated.length
      ? table({
        caption: 'Rules not evaluated in the newest run: their evidence was not read',
        captionVisible: false,
        head: ['Rule', 'Level', 'Not read'],
        rows: unevaluated.map((u) => h('tr', null, h('td', { class: 'mono small' }, clip(u.rule, 40)), h('td', null, u.level), h('td', null, clip(u.reason, 400)))),
      })
      : h('p', null, 'Every rule was evaluated.'));
}

function policySection(detail) {
  const c = detail.control;
  const p = detail.period;
  const items = [];
  for (const w of c.waivers) {
    items.push(h('li', null, h('strong', null, `Waiver ${w.id}`), ` — ${w.reason} `, h('span', { class: 'muted' }, `(approved by ${w.approvedBy}, expires ${w.expires})`)));
  }
  if (c.attestation) {
    const a = c.attestation;
    items.push(h('li', null, h('strong', null, 'Attestation in force'), ` — “${a.statement}” by ${a.attestedBy} on ${a.date}, valid until ${a.validUntil}`,
      a.evidence ? [' · ', /^https?:\/\//i.test(a.evidence) ? h('a', { href: a.evidence, rel: 'noopener noreferrer', target: '_blank' }, 'evidence') : clip(a.evidence, 80)] : null));
  } else if (c.attestationRequired) {
    items.push(h('li', null, h('strong', null, 'Attestation needed'), ` — ${c.attestationRequired}`));
  }
  const periodItems = [];
  for (const w of p?.waivers ?? []) periodItems.push(h('li', null, `Waiver ${w.id}: in force from ${fmtDay(w.firstSeen)} to ${fmtDay(w.lastSeen)} (expires ${w.expires}, approved by ${w.approvedBy})`));
  for (const a of p?.attestations ?? []) periodItems.push(h('li', null, `Attestation by ${a.attestedBy} on ${a.date}, valid until ${a.validUntil}${a.coversWindow ? ' (covers the whole window)' : ''}`));
  return section('Waivers and attestations',
    items.length ? h('ul', { class: 'plain' }, items) : h('p', { class: 'muted' }, 'No waiver or attestation applies in the newest run.'),
    periodItems.length ? [h('h3', null, 'In the period'), h('ul', { class: 'plain' }, periodItems)] : null);
}

function remediationSection(c) {
  const r = c.remediation;
  return section('Remediation',
    h('p', null, r.summary),
    r.commands?.length ? [h('h3', null, 'Commands'), h('pre', { tabindex: '0', 'aria-label': 'Commands' }, h('code', null, lines(r.commands.join('\n'))))] : null,
    r.manifest ? [h('h3', null, 'Manifest'), h('pre', { tabindex: '0', 'aria-label': 'Manifest' }, h('code', null, lines(r.manifest)))] : null,
    c.references?.length ? [h('h3', null, 'References'), h('ul', { class: 'plain' }, c.references.map((ref) => h('li', null, h('a', { href: ref.url, rel: 'noopener noreferrer', target: '_blank' }, ref.title))))] : null);
}

function periodSection(ctx, detail) {
  const p = detail.period;
  const w = detail.window;
  const from = h('input', { id: 'period-from', type: 'date', value: w.from.slice(0, 10), required: true });
  const to = h('input', { id: 'period-to', type: 'date', value: w.to.slice(0, 10), required: true });
  const form = h('form', { class: 'inline', 'aria-label': 'Period of the timeline' },
    h('div', { class: 'field' }, h('label', { for: 'period-from' }, 'From'), from),
    h('div', { class: 'field' }, h('label', { for: 'period-to' }, 'To'), to),
    h('button', { type: 'submit', id: 'control-period-apply' }, 'Show period'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams(ctx.params);
    q.set('from', from.value);
    q.set('to', to.value);
    ctx.navigate(`/controls/${encodeURIComponent(detail.control.id)}?${q.toString()}`, { replace: true });
  });
  if (!p) return section('Operation over the period', form, h('p', null, `No run of this cluster between ${w.from} and ${w.to}.`));

  const stats = dl([
    ['Verdict', [verdictBadge(p.verdict), ' ', p.verdictReason]],
    ['Samples', `${p.samples} in ${w.runs} run(s) between ${w.from} and ${w.to}`],
    ['Pass rate', `${pct(p.passRate)} of decided samples`],
    ['Coverage', p.coverage !== undefined ? `${pct(p.coverage)} of days tested; longest gap ${p.longestGapDays ?? 0} day(s)` : '—'],
    ['Status counts', Object.entries(p.statusCounts).filter(([, n]) => n).map(([st, n]) => `${STATUS_TEXT[st]} ${n}`).join(' · ')],
    p.timeToRemediateHours ? ['Time to remediate', `mean ${fmtHours(p.timeToRemediateHours.mean)}, longest ${fmtHours(p.timeToRemediateHours.max)} (${p.timeToRemediateHours.count} closed interval(s))`] : null,
  ]);
  const intervals = p.failIntervals.length
    ? table({
      caption: 'Failure intervals',
      captionVisible: true,
      head: ['First seen', 'Last seen', 'Fixed', 'Duration', 'Runs'],
      rows: p.failIntervals.map((i) => h('tr', null, h('td', null, fmtTime(i.firstSeen)), h('td', null, fmtTime(i.lastSeen)), h('td', null, i.open ? h('strong', null, 'still failing') : fmtTime(i.fixedAt)), h('td', null, fmtHours(i.durationHours)),
        h('td', null, h('a', { href: `/runs/${encodeURIComponent(i.firstRunId)}` }, i.firstRunId), ' … ', h('a', { href: `/runs/${encodeURIComponent(i.lastRunId)}` }, i.lastRunId)))),
    })
    : h('p', null, 'No failure in this period.');

  const cells = p.timeline.map((x) => ({ status: x.status, title: `${fmtTime(x.at)}: ${STATUS_TEXT[x.status]} (run ${x.runId})` }));
  const samples = [...p.timeline].reverse();
  let offset = 0;
  const sampleBox = h('div');
  function drawSamples() {
    while (sampleBox.firstChild) sampleBox.removeChild(sampleBox.firstChild);
    sampleBox.appendChild(table({
      caption: 'Every sample in the period, newest first',
      head: ['Evidence time', 'Status', h('th', { scope: 'col', class: 'n' }, 'Failing'), 'Run', 'Snapshot digest'],
      rows: samples.slice(offset, offset + SAMPLE_PAGE).map((x) => h('tr', null,
        h('td', { class: 'nowrap' }, fmtTime(x.at), x.storedAt ? h('div', { class: 'muted small' }, `stored ${fmtTime(x.storedAt)}`) : null),
        h('td', null, statusBadge(x.status)),
        h('td', { class: 'n' }, x.failing ? String(x.failing) : ''),
        h('td', { class: 'mono' }, h('a', { href: `/runs/${encodeURIComponent(x.runId)}` }, x.runId)),
        h('td', { class: 'mono small digest' }, x.snapshotDigest ?? '—'))),
    }));
    sampleBox.appendChild(pager({ total: samples.length, offset, limit: SAMPLE_PAGE, label: 'samples', onPage: (o) => { offset = o; drawSamples(); } }));
  }
  drawSamples();
  return section('Operation over the period', form, stats,
    h('h3', null, 'Timeline'), strip(cells, `Status of ${detail.control.id} in ${cells.length} sample(s), oldest first`, 'strip timeline'),
    h('p', { class: 'muted small' }, 'Re-perform a sample with: eks-soc2 scan --run RUN_ID --now EVIDENCE_TIME'),
    intervals, h('h3', null, 'Samples'), sampleBox);
}

export async function render(root, ctx) {
  const detail = await api(`/api/controls/${encodeURIComponent(ctx.id)}`, { cluster: ctx.cluster.id, from: ctx.params.get('from') ?? undefined, to: ctx.params.get('to') ?? undefined });
  const c = detail.control;
  const clusterQ = `cluster=${encodeURIComponent(detail.cluster.id)}`;
  root.appendChild(h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' },
    h('a', { href: `/controls?${clusterQ}` }, 'Controls'), ' › ', h('span', { 'aria-current': 'page' }, c.id)));
  root.appendChild(h('div', { class: 'pagehead' },
    h('h1', null, h('span', { class: 'mono' }, c.id), ' ', clip(c.title, 160)),
    h('p', { class: 'badges' }, statusBadge(c.status), ' ', warningChip(c.counts.warn, c.status === 'pass'), c.counts.warn ? ' ' : null, severityChip(c.failSeverity ?? c.severity), ' ', h('span', { class: 'chip' }, c.automation),
      ' ', h('span', { class: 'chip' }, `${c.section} ${c.sectionTitle}`), ' ', c.tsc.map((t) => h('a', { class: 'chip', href: `/controls?${clusterQ}&tsc=${encodeURIComponent(t)}` }, t))),
    h('p', { class: 'message' }, clip(c.message, 500))));

  const findings = findingsSection(ctx, detail);
  root.appendChild(h('div', { class: 'grid2' },
    section('What it checks', h('p', null, c.description), c.notes.length ? h('ul', { class: 'plain notes' }, c.notes.map((n) => h('li', null, clip(n, 400)))) : null),
    section('Owners and evidence', dl([
      ['Primary owners', owners(c.owners.primary)],
      ['Supporting', owners(c.owners.supporting)],
      ['Subheading', c.subheading],
      ['Evidence read', c.evidence.required.length ? h('ul', { class: 'plain' }, c.evidence.required.map((e) => h('li', null, e))) : '—'],
      ['Evidence missing', c.evidence.missing.length ? h('ul', { class: 'plain missing' }, c.evidence.missing.map((e) => h('li', null, e))) : 'none'],
      ['Newest run', [h('a', { href: `/runs/${encodeURIComponent(detail.run.runId)}` }, detail.run.runId), ` (${fmtTime(detail.run.at)})`]],
    ]))));
  root.appendChild(rulesSection(c));
  root.appendChild(findings.node);
  root.appendChild(h('div', { class: 'grid2' }, policySection(detail), remediationSection(c)));
  root.appendChild(periodSection(ctx, detail));
  await findings.load();
  return `${c.id} — ${detail.cluster.label.slice(0, 60)}`;
}
