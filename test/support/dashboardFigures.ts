/**
 * What the dashboard must show, by `data-figure` name, derived from computeAnalytics on its own
 * (an independent restatement of lib/analytics/dashboard.ts's naming), and a reader for a page.
 */
import type { AnalyticsFigures } from '../../lib';

const slug = (value: string) => value.replace(/[^A-Za-z0-9_.-]+/g, '_');

export function expectedDashboardFigures(figures: AnalyticsFigures): Record<string, unknown> {
	const { operations: ops, funnel, engagement, revenue } = figures;
	const out: Record<string, unknown> = {
		period: ops.period,
		'webhooks.received': ops.webhooks.received,
		'webhooks.rejected': ops.webhooks.rejected,
		'webhooks.rejectionRate': ops.webhooks.rejectionRate,
		'messages.attempted': ops.messages.attempted,
		'messages.sent': ops.messages.sent,
		'messages.delivered': ops.messages.delivered,
		'messages.failed': ops.messages.failed,
		'messages.deliveryRate': ops.messages.deliveryRate,
		'messages.failureRate': ops.messages.failureRate,
		'messages.retries': ops.messages.retries,
		'messages.fallbacks': ops.messages.fallbacks,
		'recovery.rate': funnel.recovery.rate,
		'recovery.recoveredBookings': funnel.recovery.recoveredBookings,
		'recovery.abandonedBookings': funnel.recovery.abandonedBookings,
		'recovery.attributionWindowHours': funnel.recovery.attributionWindowHours,
	};
	for (const s of funnel.stages) out[`funnel.${s.stage}`] = s.guests;
	for (const c of funnel.conversions) out[`conversion.${c.from}.${c.to}`] = c.rate;
	for (const name of ['webhookToWhatsApp', 'sendToDelivered'] as const) {
		const l = ops.latencyMs[name];
		out[`latency.${name}.count`] = l.count;
		out[`latency.${name}.p50`] = l.p50;
		out[`latency.${name}.p95`] = l.p95;
		out[`latency.${name}.p99`] = l.p99;
	}
	for (const [reason, n] of Object.entries(ops.webhooks.rejectionsByReason)) out[`rejections.${slug(reason)}`] = n;
	for (const [code, n] of Object.entries(ops.messages.failuresByCode)) out[`failures.${slug(code)}`] = n;
	for (const row of engagement) {
		const key = `${slug(row.template)}.${slug(row.language || 'none')}`;
		out[`engagement.${key}.sent`] = row.sent;
		out[`engagement.${key}.replyRate`] = row.replyRate;
		out[`engagement.${key}.clickRate`] = row.clickRate;
	}
	const totals: Record<string, number> = {};
	for (const row of revenue.perJourney) {
		for (const [currency, amount] of Object.entries(row.revenue as Record<string, number>)) totals[currency] = Math.round(((totals[currency] ?? 0) + amount) * 100) / 100;
	}
	if (Object.keys(totals).length === 0) out['revenue.total'] = null;
	for (const [currency, amount] of Object.entries(totals)) out[`revenue.total.${slug(currency)}`] = amount;
	for (const row of revenue.perTemplate) {
		for (const [currency, amount] of Object.entries(row.revenue as Record<string, number>)) out[`revenue.template.${slug(String(row.template))}.${slug(currency)}`] = amount;
	}
	return out;
}

const unescape = (value: string) =>
	value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** data-figure → parsed data-value, from the page's source (each name must appear once). */
export function readDashboardFigures(html: string): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const match of html.matchAll(/data-figure="([^"]+)" data-value="([^"]*)"/g)) {
		const name = unescape(match[1]);
		if (name in out) throw new Error(`figure ${name} appears twice`);
		out[name] = JSON.parse(unescape(match[2]));
	}
	return out;
}
