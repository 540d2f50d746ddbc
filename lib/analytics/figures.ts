/**
 * The owner's figures, computed from recorded events only. Each definition lives here once; the
 * Resort Analytics node, the dashboard and the docs (docs/analytics.md) use these functions.
 *
 * Conventions: a period is [from, to); rates are fractions (0..1) rounded to 4 places, `null`
 * when the denominator is 0; percentiles are nearest-rank; money is never summed across currencies.
 */
import { DateTime, Duration } from 'luxon';

import { FUNNEL_STAGES, type AnalyticsEvent, type FunnelStage } from './events';

export interface Period {
	from: string;
	to: string;
}

export interface AnalyticsOptions {
	/** A conversion counts as recovered / attributed when it follows a message within this window. Default 168 h (7 days). */
	attributionWindowHours?: number;
	/** A reply without a WhatsApp context is attributed to the last message within this window. Default 24 h. */
	replyWindowHours?: number;
}

const REMINDER_TEMPLATES = new Set(['booking_reminder_1', 'booking_reminder_2']);

const millis = (iso: string) => DateTime.fromISO(iso, { setZone: true }).toMillis();
const ratio = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

/** Nearest-rank percentile of a sorted list; null when empty. */
export function percentile(sorted: number[], p: number): number | null {
	if (sorted.length === 0) return null;
	const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
	return sorted[Math.min(sorted.length, rank) - 1];
}

function latencySummary(values: number[]) {
	const sorted = [...values].sort((a, b) => a - b);
	return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
	const out: Record<string, number> = {};
	for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
	return out;
}

function inPeriod(events: AnalyticsEvent[], period: Period): AnalyticsEvent[] {
	const from = millis(period.from);
	const to = millis(period.to);
	return events.filter((e) => {
		const at = millis(e.at);
		return at >= from && at < to;
	});
}

const byTime = (a: AnalyticsEvent, b: AnalyticsEvent) => millis(a.at) - millis(b.at);

// ---------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------

/**
 * - webhooks: received = accepted (`webhook_received`) + rejected (`webhook_rejected`);
 *   rejectionRate = rejected / received; perHour = received / period hours.
 * - messages: attempted = `message_sent` + `message_failed` without a message id (Meta refused
 *   the request); delivered = sent messages with a `message_delivered` or `message_read` status
 *   (statuses up to the end of the period count); failed = refused requests + sent messages with
 *   a `message_failed` status; deliveryRate = delivered / attempted, failureRate = failed / attempted.
 * - latency: webhook→WhatsApp from `message_sent.latencyMs`; send→delivered = first delivered
 *   (or read) status time − send time, per message (at least 0: Meta's timestamps are whole seconds).
 * - retries = sum of `retries` over sends and failures; fallbacks = sends with `fallback`.
 */
export function computeOperations(events: AnalyticsEvent[], period: Period) {
	const current = inPeriod(events, period);
	const end = millis(period.to);
	const received = current.filter((e) => e.type === 'webhook_received');
	const rejected = current.filter((e) => e.type === 'webhook_rejected');
	const total = received.length + rejected.length;
	const hours = Duration.fromMillis(end - millis(period.from)).as('hours');

	const sent = current.filter((e) => e.type === 'message_sent');
	const refused = current.filter((e) => e.type === 'message_failed' && !e.messageId);
	const firstStatus = new Map<string, { delivered?: number; failed?: AnalyticsEvent }>();
	for (const e of events) {
		if (!e.messageId || millis(e.at) >= end) continue;
		const entry = firstStatus.get(e.messageId) ?? {};
		if (e.type === 'message_delivered' || e.type === 'message_read') {
			entry.delivered = Math.min(entry.delivered ?? Infinity, millis(e.at));
		} else if (e.type === 'message_failed') entry.failed ??= e;
		firstStatus.set(e.messageId, entry);
	}
	const delivered = sent.filter((e) => firstStatus.get(e.messageId ?? '')?.delivered !== undefined);
	const failedAfterSend = sent
		.map((e) => firstStatus.get(e.messageId ?? '')?.failed)
		.filter((e): e is AnalyticsEvent => e !== undefined);
	const failures = [...refused, ...failedAfterSend];
	const attempted = sent.length + refused.length;

	return {
		period,
		webhooks: {
			received: total,
			accepted: received.length,
			rejected: rejected.length,
			perHour: hours > 0 ? Math.round((total / hours) * 100) / 100 : null,
			rejectionRate: ratio(rejected.length, total),
			rejectionsByReason: countBy(rejected, (e) => `${e.reason ?? 'unknown'} (${e.httpStatus ?? '?'})`),
		},
		messages: {
			attempted,
			sent: sent.length,
			delivered: delivered.length,
			failed: failures.length,
			deliveryRate: ratio(delivered.length, attempted),
			failureRate: ratio(failures.length, attempted),
			failuresByCode: countBy(failures, (e) => String(e.errorCode ?? 'unknown')),
			retries: [...sent, ...refused].reduce((sum, e) => sum + (e.retries ?? 0), 0),
			fallbacks: sent.filter((e) => e.fallback === true).length,
		},
		latencyMs: {
			webhookToWhatsApp: latencySummary(sent.map((e) => e.latencyMs).filter((v): v is number => typeof v === 'number')),
			sendToDelivered: latencySummary(
				// Meta's status timestamps are whole seconds: a status can read up to 1 s before the send; 0 then.
				delivered.map((e) => Math.max(0, (firstStatus.get(e.messageId ?? '')?.delivered ?? 0) - millis(e.at))),
			),
		},
	};
}

// ---------------------------------------------------------------------------
// Funnel, recovery, engagement, revenue
// ---------------------------------------------------------------------------

/** A conversion for an extra bought (`extra_purchased`), not for the booking itself. */
const isExtraConversion = (e: AnalyticsEvent) => e.type === 'conversion' && e.stage === 'upsold';

/** Bookings recovered: abandoned, then converted within the window after a reminder for that booking. */
function recoveredBookings(events: AnalyticsEvent[], windowMs: number): Map<string, AnalyticsEvent> {
	const reminders = events.filter((e) => e.type === 'message_sent' && REMINDER_TEMPLATES.has(e.template ?? '') && e.bookingId);
	const abandoned = new Set(events.filter((e) => e.type === 'stage_changed' && e.stage === 'abandoned').map((e) => e.bookingId));
	const out = new Map<string, AnalyticsEvent>();
	// An extra bought is not the booking being confirmed: it recovers nothing.
	for (const conversion of events.filter((e) => e.type === 'conversion' && e.bookingId && !isExtraConversion(e))) {
		const at = millis(conversion.at);
		if (!abandoned.has(conversion.bookingId)) continue;
		const touched = reminders.some((r) => r.bookingId === conversion.bookingId && millis(r.at) < at && at - millis(r.at) <= windowMs);
		if (touched && !out.has(conversion.bookingId!)) out.set(conversion.bookingId!, conversion);
	}
	return out;
}

/**
 * - guests per stage: distinct `guestKey`s with a `stage_changed` to that stage in the period
 *   (`recovered`: guests with a recovered booking, see below; `upsold`: guests who bought an extra,
 *   recorded from the booking event `extra_purchased`).
 * - conversion from stage i to the next: of the guests who reached stage i, the share who also
 *   reached stage i+1 (so side stages like `abandoned` read as "share who abandoned").
 * - recovery: abandoned bookings (stage `abandoned` in the period) that have a `conversion` (not
 *   an extra's, stage `upsold`) within the attribution window after a reminder
 *   (`booking_reminder_1`/`_2`) for the same booking;
 *   recoveryRate = recovered / abandoned.
 */
export function computeFunnel(events: AnalyticsEvent[], period: Period, options: AnalyticsOptions = {}) {
	const windowMs = (options.attributionWindowHours ?? 168) * 3_600_000;
	const current = inPeriod(events, period);
	const guests = new Map<FunnelStage, Set<string>>(FUNNEL_STAGES.map((s) => [s, new Set<string>()]));
	for (const e of current) {
		if (e.type === 'stage_changed' && e.stage && e.stage !== 'recovered' && e.guestKey) guests.get(e.stage)!.add(e.guestKey);
	}
	const recovered = recoveredBookings(current, windowMs);
	for (const conversion of recovered.values()) if (conversion.guestKey) guests.get('recovered')!.add(conversion.guestKey);

	const stages = FUNNEL_STAGES.map((stage) => ({ stage, guests: guests.get(stage)!.size }));
	const conversions = FUNNEL_STAGES.slice(0, -1).map((stage, i) => {
		const next = FUNNEL_STAGES[i + 1];
		const reached = guests.get(stage)!;
		const both = [...reached].filter((g) => guests.get(next)!.has(g)).length;
		return { from: stage, to: next, rate: ratio(both, reached.size) };
	});
	const abandonedBookings = new Set(current.filter((e) => e.type === 'stage_changed' && e.stage === 'abandoned' && e.bookingId).map((e) => e.bookingId));
	return {
		period,
		stages,
		conversions,
		recovery: {
			abandonedBookings: abandonedBookings.size,
			recoveredBookings: [...recovered.keys()].filter((b) => abandonedBookings.has(b)).length,
			rate: ratio([...recovered.keys()].filter((b) => abandonedBookings.has(b)).length, abandonedBookings.size),
			attributionWindowHours: windowMs / 3_600_000,
		},
	};
}

/**
 * Per template and language, over messages sent in the period:
 * - replied: messages the guest answered — a `guest_reply` whose `messageId` (WhatsApp context)
 *   is that message, or, without a context, the guest's last message sent at most `replyWindowHours`
 *   before the reply; each message counts once.
 * - clicked: messages with a `button_click` or `link_click` carrying their `messageId`, or a
 *   `link_click` with the same `template` and `bookingId` (or, for a link sent before there was a
 *   booking, the same `guestKey`) at or after it: the tracked link's signed claims.
 * - replyRate = replied / sent, clickRate = clicked / sent.
 */
export function computeEngagement(events: AnalyticsEvent[], period: Period, options: AnalyticsOptions = {}) {
	const replyWindowMs = (options.replyWindowHours ?? 24) * 3_600_000;
	const current = inPeriod(events, period).sort(byTime);
	const sent = current.filter((e) => e.type === 'message_sent' && e.template);
	const byId = new Map(sent.filter((e) => e.messageId).map((e) => [e.messageId!, e]));
	const replied = new Set<AnalyticsEvent>();
	const clicked = new Set<AnalyticsEvent>();
	for (const e of current) {
		if (e.type === 'guest_reply') {
			const target = (e.messageId && byId.get(e.messageId)) || lastSentTo(sent, e, replyWindowMs);
			if (target) replied.add(target);
		} else if (e.type === 'button_click' || e.type === 'link_click') {
			let target = e.messageId ? byId.get(e.messageId) : undefined;
			if (!target && e.type === 'link_click' && e.template) {
				// The tracked link names its booking, or (before there is one) its guest.
				const sameJourney = (s: AnalyticsEvent) =>
					e.bookingId ? s.bookingId === e.bookingId : Boolean(e.guestKey) && s.guestKey === e.guestKey;
				target = [...sent].reverse().find((s) => s.template === e.template && sameJourney(s) && millis(s.at) <= millis(e.at));
			}
			if (target) clicked.add(target);
		}
	}
	const rows = new Map<string, { template: string; language: string; sent: number; replied: number; clicked: number }>();
	for (const message of sent) {
		const key = `${message.template}|${message.language ?? ''}`;
		const row = rows.get(key) ?? { template: message.template!, language: message.language ?? '', sent: 0, replied: 0, clicked: 0 };
		row.sent += 1;
		if (replied.has(message)) row.replied += 1;
		if (clicked.has(message)) row.clicked += 1;
		rows.set(key, row);
	}
	return [...rows.values()]
		.sort((a, b) => a.template.localeCompare(b.template) || a.language.localeCompare(b.language))
		.map((row) => ({ ...row, replyRate: ratio(row.replied, row.sent), clickRate: ratio(row.clicked, row.sent) }));
}

function lastSentTo(sent: AnalyticsEvent[], reply: AnalyticsEvent, windowMs: number): AnalyticsEvent | undefined {
	const at = millis(reply.at);
	for (let i = sent.length - 1; i >= 0; i -= 1) {
		const s = sent[i];
		if (s.guestKey !== reply.guestKey || !reply.guestKey) continue;
		const sentAt = millis(s.at);
		if (sentAt <= at) return at - sentAt <= windowMs ? s : undefined;
	}
	return undefined;
}

/**
 * - per journey (booking): the sum of its `conversion` amounts in the period, per currency (the
 *   reservation and any extras bought for it).
 * - per template: last touch — each conversion is credited to the last template message sent (strictly before it) for
 *   that booking (else to that guest) at most `attributionWindowHours` before it; conversions with
 *   no such message are `unattributed`.
 */
export function computeRevenue(events: AnalyticsEvent[], period: Period, options: AnalyticsOptions = {}) {
	const windowMs = (options.attributionWindowHours ?? 168) * 3_600_000;
	const current = inPeriod(events, period).sort(byTime);
	const sent = events.filter((e) => e.type === 'message_sent' && e.template).sort(byTime);
	const perJourney = new Map<string, Record<string, number>>();
	const perTemplate = new Map<string, Record<string, number>>();
	const add = (map: Map<string, Record<string, number>>, key: string, currency: string, amount: number) => {
		const totals = map.get(key) ?? {};
		totals[currency] = Math.round(((totals[currency] ?? 0) + amount) * 100) / 100;
		map.set(key, totals);
	};
	for (const conversion of current.filter((e) => e.type === 'conversion')) {
		const amount = conversion.amount ?? 0;
		const currency = conversion.currency ?? '???';
		add(perJourney, conversion.bookingId ?? '(no booking)', currency, amount);
		const at = millis(conversion.at);
		const eligible = (s: AnalyticsEvent) => millis(s.at) < at && at - millis(s.at) <= windowMs;
		const touch =
			[...sent].reverse().find((s) => eligible(s) && s.bookingId && s.bookingId === conversion.bookingId) ??
			[...sent].reverse().find((s) => eligible(s) && s.guestKey && s.guestKey === conversion.guestKey);
		add(perTemplate, touch?.template ?? 'unattributed', currency, amount);
	}
	const list = (map: Map<string, Record<string, number>>, name: string) =>
		[...map.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, totals]) => ({ [name]: key, revenue: totals }));
	return { perJourney: list(perJourney, 'bookingId'), perTemplate: list(perTemplate, 'template') };
}

/** Everything an owner sees for one period. */
export function computeAnalytics(events: AnalyticsEvent[], period: Period, options: AnalyticsOptions = {}) {
	return {
		operations: computeOperations(events, period),
		funnel: computeFunnel(events, period, options),
		engagement: computeEngagement(events, period, options),
		revenue: computeRevenue(events, period, options),
	};
}
