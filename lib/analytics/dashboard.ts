/**
 * The owner's dashboard as one self-contained HTML page (inline CSS and SVG, nothing fetched),
 * readable on a phone. Pure: figures in, HTML out. Every figure shown carries a stable
 * `data-figure="…"` name and its exact value in `data-value` (JSON), so a test or a script can
 * read the page without parsing the formatted text.
 */
import { DateTime } from 'luxon';

import type { computeAnalytics, Period } from './figures';

export type AnalyticsFigures = ReturnType<typeof computeAnalytics>;

export interface DashboardOptions {
	title?: string;
	/** When the page was made (ISO); shown in the footer. */
	generatedAt?: string;
	/** Number of event rows the figures come from. */
	events?: number;
	skippedRows?: number;
}

const STAGE_LABELS: Record<string, string> = {
	first_contact: 'First contact',
	qualified: 'Qualified',
	suggestions: 'Suggestions',
	booking_started: 'Booking started',
	abandoned: 'Abandoned',
	recovered: 'Recovered',
	confirmed: 'Confirmed',
	reviewed: 'Reviewed',
	upsold: 'Upsold',
};

export function escapeHtml(value: unknown): string {
	return String(value ?? '')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}

/** How a figure is written on the page: rates as percentages, ms as ms/s, empty as an en dash. */
export function formatFigure(value: number | null | undefined, kind: 'count' | 'rate' | 'ms' | 'money' = 'count', currency?: string): string {
	if (value === null || value === undefined || Number.isNaN(value)) return '–';
	if (kind === 'rate') return `${(Math.round(value * 1000) / 10).toFixed(1)}%`;
	if (kind === 'ms') return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
	if (kind === 'money') return `${value.toFixed(2)} ${currency ?? ''}`.trim();
	return String(value);
}

/** One figure: the formatted text inside an element that names it and holds the exact value. */
function figure(name: string, value: number | null | undefined, kind: 'count' | 'rate' | 'ms' | 'money' = 'count', tag = 'span', currency?: string): string {
	const exact = value === undefined ? null : value;
	return `<${tag} class="fig" ${figureAttributes(name, exact)}>${escapeHtml(formatFigure(exact, kind, currency))}</${tag}>`;
}

function card(label: string, body: string, hint = ''): string {
	return `<div class="card"><div class="label">${escapeHtml(label)}</div><div class="big">${body}</div>${hint ? `<div class="hint">${hint}</div>` : ''}</div>`;
}

/** The attributes that name a figure and hold its exact value. */
const figureAttributes = (name: string, value: number | null | undefined) =>
	`data-figure="${escapeHtml(name)}" data-value="${escapeHtml(JSON.stringify(value ?? null))}"`;

interface Bar {
	label: string;
	value: number | null;
	text: string;
	color?: string;
	/** data-figure name of the value printed at the end of the bar. */
	figure?: string;
}

/** Horizontal bars (label, value) as inline SVG; widths relative to the largest value. */
function bars(rows: Bar[], ariaLabel: string, labelWidth = 118): string {
	const height = 26;
	const width = 340;
	const max = Math.max(1, ...rows.map((r) => r.value ?? 0));
	const body = rows
		.map((r, i) => {
			const y = i * height;
			const w = Math.round(((r.value ?? 0) / max) * (width - labelWidth - 80) * 10) / 10;
			const named = r.figure ? ` class="bv fig" ${figureAttributes(r.figure, r.value)}` : ' class="bv"';
			return (
				`<text x="0" y="${y + 17}" class="bl">${escapeHtml(r.label)}</text>` +
				`<rect x="${labelWidth}" y="${y + 5}" width="${Math.max(w, r.value ? 2 : 0)}" height="16" rx="3" fill="${r.color ?? '#0f766e'}"></rect>` +
				`<text x="${labelWidth + w + 6}" y="${y + 17}"${named}>${escapeHtml(r.text)}</text>`
			);
		})
		.join('');
	return `<svg class="chart" viewBox="0 0 ${width} ${Math.max(rows.length, 1) * height}" role="img" aria-label="${escapeHtml(ariaLabel)}" preserveAspectRatio="xMinYMin meet">${body}</svg>`;
}

/** A 100% stacked bar: delivered / failed / not yet confirmed. */
function deliveryBar(delivered: number, failed: number, attempted: number): string {
	if (attempted === 0) return '<p class="muted">No messages attempted in this period.</p>';
	const pending = Math.max(0, attempted - delivered - failed);
	const parts = [
		{ n: delivered, color: '#0f766e', label: 'delivered' },
		{ n: failed, color: '#b91c1c', label: 'failed' },
		{ n: pending, color: '#cbd5e1', label: 'no status yet' },
	];
	let x = 0;
	const rects = parts
		.map((p) => {
			const w = (p.n / attempted) * 300;
			const rect = `<rect x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="22" fill="${p.color}"><title>${p.label}: ${p.n}</title></rect>`;
			x += w;
			return rect;
		})
		.join('');
	const legend = parts.map((p) => `<span class="key"><i style="background:${p.color}"></i>${escapeHtml(p.label)} ${p.n}</span>`).join(' ');
	return `<svg class="chart" viewBox="0 0 300 22" role="img" aria-label="Delivery of attempted messages" preserveAspectRatio="none">${rects}</svg><div class="legend">${legend}</div>`;
}

function table(head: string[], rows: string[][], empty: string): string {
	if (rows.length === 0) return `<p class="muted">${escapeHtml(empty)}</p>`;
	return `<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
		.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
		.join('')}</tbody></table></div>`;
}

const slug = (value: string) => value.replace(/[^A-Za-z0-9_.-]+/g, '_');

function periodText(period: Period): string {
	const f = (iso: string) => DateTime.fromISO(iso, { setZone: true }).toUTC().toFormat('yyyy-LL-dd HH:mm');
	return `${f(period.from)} – ${f(period.to)} UTC`;
}

export function renderDashboard(figures: AnalyticsFigures, options: DashboardOptions = {}): string {
	const { operations: ops, funnel, engagement, revenue } = figures;
	const title = options.title ?? 'Resort analytics';
	const period = ops.period;

	const revenueTotals: Record<string, number> = {};
	for (const row of revenue.perJourney) {
		for (const [currency, amount] of Object.entries(row.revenue as Record<string, number>)) revenueTotals[currency] = Math.round(((revenueTotals[currency] ?? 0) + amount) * 100) / 100;
	}
	const revenueCards = Object.keys(revenueTotals).length
		? Object.entries(revenueTotals)
				.sort(([a], [b]) => a.localeCompare(b))
				.map(([currency, amount]) => figure(`revenue.total.${slug(currency)}`, amount, 'money', 'span', currency))
				.join('<br>')
		: figure('revenue.total', null);

	const cards = [
		card('Webhooks received', figure('webhooks.received', ops.webhooks.received), `${figure('webhooks.rejected', ops.webhooks.rejected)} rejected (${figure('webhooks.rejectionRate', ops.webhooks.rejectionRate, 'rate')})`),
		card('Messages attempted', figure('messages.attempted', ops.messages.attempted), `${figure('messages.sent', ops.messages.sent)} accepted by WhatsApp`),
		card('Delivery rate', figure('messages.deliveryRate', ops.messages.deliveryRate, 'rate'), `${figure('messages.delivered', ops.messages.delivered)} delivered`),
		card('Failure rate', figure('messages.failureRate', ops.messages.failureRate, 'rate'), `${figure('messages.failed', ops.messages.failed)} failed`),
		card('Recovered bookings', figure('recovery.rate', funnel.recovery.rate, 'rate'), `${figure('recovery.recoveredBookings', funnel.recovery.recoveredBookings)} of ${figure('recovery.abandonedBookings', funnel.recovery.abandonedBookings)} abandoned`),
		card('Revenue', revenueCards, `${figure('messages.retries', ops.messages.retries)} retries, ${figure('messages.fallbacks', ops.messages.fallbacks)} fallbacks`),
	].join('');

	const funnelBars = bars(
		funnel.stages.map((s) => ({
			label: STAGE_LABELS[s.stage] ?? s.stage,
			value: s.guests,
			text: String(s.guests),
			color: s.stage === 'abandoned' ? '#d97706' : s.stage === 'recovered' ? '#7c3aed' : '#0f766e',
			figure: `funnel.${s.stage}`,
		})),
		'Guests per funnel stage',
	);
	const conversions = table(
		['From', 'To', 'Conversion'],
		funnel.conversions.map((c) => [escapeHtml(STAGE_LABELS[c.from] ?? c.from), escapeHtml(STAGE_LABELS[c.to] ?? c.to), figure(`conversion.${c.from}.${c.to}`, c.rate, 'rate')]),
		'No stages.',
	);

	type Latency = { count: number; p50: number | null; p95: number | null; p99: number | null };
	const latencyBlock = (name: string, label: string, summary: Latency) =>
		`<h3>${escapeHtml(label)} <small>(${figure(`latency.${name}.count`, summary.count)} messages)</small></h3>` +
		(summary.count
			? bars(
					(['p50', 'p95', 'p99'] as const).map((p) => ({ label: p, value: summary[p], text: formatFigure(summary[p], 'ms'), figure: `latency.${name}.${p}` })),
					label,
					40,
				)
			: `<p class="muted">No measurements in this period: p50 ${figure(`latency.${name}.p50`, null, 'ms')} · p95 ${figure(`latency.${name}.p95`, null, 'ms')} · p99 ${figure(`latency.${name}.p99`, null, 'ms')}</p>`);

	const rejections = Object.entries(ops.webhooks.rejectionsByReason).sort(([a], [b]) => a.localeCompare(b));
	const rejectionBlock = rejections.length
		? bars(
				rejections.map(([reason, n]) => ({ label: reason, value: n, text: String(n), color: '#b91c1c', figure: `rejections.${slug(reason)}` })),
				'Rejected webhooks by reason',
				175,
			)
		: '<p class="muted">No webhook was rejected in this period.</p>';
	const failures = Object.entries(ops.messages.failuresByCode).sort(([a], [b]) => a.localeCompare(b));
	const failureList = failures.length
		? `<ul class="plain">${failures.map(([code, n]) => `<li>Meta error ${escapeHtml(code)}: ${figure(`failures.${slug(code)}`, n)}</li>`).join('')}</ul>`
		: '';

	const engagementTable = table(
		['Template', 'Lang', 'Sent', 'Replied', 'Clicked'],
		engagement.map((row) => {
			const key = `${slug(row.template)}.${slug(row.language || 'none')}`;
			return [
				escapeHtml(row.template),
				escapeHtml(row.language),
				figure(`engagement.${key}.sent`, row.sent),
				figure(`engagement.${key}.replyRate`, row.replyRate, 'rate'),
				figure(`engagement.${key}.clickRate`, row.clickRate, 'rate'),
			];
		}),
		'No template messages in this period.',
	);
	const revenueTable = table(
		['Template (last touch)', 'Revenue'],
		revenue.perTemplate.map((row) => {
			const template = String(row.template);
			return [
				escapeHtml(template),
				Object.entries(row.revenue as Record<string, number>)
					.map(([currency, amount]) => figure(`revenue.template.${slug(template)}.${slug(currency)}`, amount, 'money', 'span', currency))
					.join('<br>'),
			];
		}),
		'No conversions in this period.',
	);

	const footer = [
		options.generatedAt ? `Generated ${escapeHtml(options.generatedAt)}` : '',
		options.events !== undefined ? `${figure('events', options.events)} events` : '',
		options.skippedRows ? `${figure('skippedRows', options.skippedRows)} rows skipped (not valid events)` : '',
		`Attribution window ${figure('recovery.attributionWindowHours', funnel.recovery.attributionWindowHours)} h`,
	]
		.filter(Boolean)
		.join(' · ');

	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
*{box-sizing:border-box}
body{margin:0;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#0f172a;background:#f1f5f9}
header{background:#0f766e;color:#fff;padding:14px 16px}
header h1{margin:0;font-size:1.2rem}
header p{margin:2px 0 0;opacity:.9;font-size:.85rem}
main{max-width:980px;margin:0 auto;padding:12px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
.card,section{background:#fff;border-radius:10px;padding:12px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.label{font-size:.78rem;color:#475569;text-transform:uppercase;letter-spacing:.03em}
.big{font-size:1.45rem;font-weight:650;margin-top:2px}
.hint{font-size:.8rem;color:#475569;margin-top:2px}
section{margin-top:12px}
h2{font-size:1.02rem;margin:0 0 8px}
h3{font-size:.92rem;margin:10px 0 4px}
.grid2{display:grid;grid-template-columns:minmax(0,1fr);gap:12px}
.grid2>*,section,.card{min-width:0}
@media (min-width:720px){.grid2{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}}
.chart{width:100%;height:auto;display:block}
.bl{font-size:11px;fill:#334155}
.bv{font-size:12px;fill:#0f172a;font-weight:600}
.legend{font-size:.8rem;color:#334155;margin-top:4px}
.key{margin-right:10px;white-space:nowrap}
.key i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.muted{color:#64748b;font-size:.85rem}
.nums{font-size:.85rem;color:#334155;margin:4px 0 0}
ul.plain{list-style:none;padding:0;margin:6px 0 0;font-size:.85rem;columns:2}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{text-align:left;padding:5px 6px;border-bottom:1px solid #e2e8f0;white-space:nowrap}
footer{color:#64748b;font-size:.78rem;padding:12px 16px 24px;text-align:center}
</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><p data-figure="period" data-value="${escapeHtml(JSON.stringify(period))}">${escapeHtml(periodText(period))}</p></header>
<main>
<div class="cards">${cards}</div>
<section><h2>Guest funnel</h2>${funnelBars}<h3>Conversion between stages</h3>${conversions}</section>
<div class="grid2">
<section><h2>Delivery</h2>${deliveryBar(ops.messages.delivered, ops.messages.failed, ops.messages.attempted)}${failureList}</section>
<section><h2>Rejected webhooks</h2>${rejectionBlock}</section>
</div>
<section><h2>Latency</h2><div class="grid2"><div>${latencyBlock('webhookToWhatsApp', 'Booking webhook → WhatsApp', ops.latencyMs.webhookToWhatsApp)}</div><div>${latencyBlock('sendToDelivered', 'Sent → delivered', ops.latencyMs.sendToDelivered)}</div></div></section>
<div class="grid2">
<section><h2>Engagement per template</h2>${engagementTable}</section>
<section><h2>Revenue per template</h2>${revenueTable}</section>
</div>
</main>
<footer>${footer}</footer>
</body>
</html>
`;
}
