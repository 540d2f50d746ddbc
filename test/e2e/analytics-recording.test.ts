/**
 * What the shipped workflows record into `resort_events` when guests go through them in the real
 * n8n against the fake Cloud API (the script is in test/support/analyticsJourneys.ts): every event
 * type with the expected count and fields, schema-valid rows, no phone number in any form, and
 * the figures computed from those rows.
 */
import { computeAnalytics, parseAnalyticsEvents } from '../../lib';
import {
	EXPECTED_TYPE_COUNTS,
	deployAnalyticsResort,
	phoneForms,
	runEvents,
	runScriptedJourneys,
	stopAnalyticsResort,
	type AnalyticsResort,
	type ScriptedRun,
} from '../support/analyticsJourneys';
import { connect } from '../support/e2e';
import type { DataTableRow } from '../../scripts/n8n-runtime/dataTables';

jest.setTimeout(420_000);

const { env, n8n, fake } = connect();
let resort: AnalyticsResort;
let run: ScriptedRun;
let events: DataTableRow[];

beforeAll(async () => {
	resort = await deployAnalyticsResort(n8n, fake, env.n8nUrl, 'analytics-recording');
	run = await runScriptedJourneys(n8n, fake, resort);
	events = await runEvents(n8n, resort, run);
});

afterAll(async () => {
	await stopAnalyticsResort(n8n, resort);
	await fake.clearFaults().catch(() => undefined);
});

const of = (type: string) => events.filter((e) => e.type === type);

test('each event type is recorded exactly as often as the script caused it', () => {
	const counts: Record<string, number> = {};
	for (const e of events) counts[String(e.type)] = (counts[String(e.type)] ?? 0) + 1;
	expect(counts).toEqual(EXPECTED_TYPE_COUNTS);
});

test('every row is a valid analytics event', () => {
	const { invalid } = parseAnalyticsEvents(events);
	expect(invalid).toEqual([]);
});

test('no row holds a phone number: guests appear only as their keyed hash', () => {
	const text = JSON.stringify(events);
	for (const guest of Object.values(run.guests)) {
		for (const form of phoneForms(guest.phone)) expect(text).not.toContain(form);
	}
	const keys = new Set(Object.values(run.guests).map((g) => g.guestKey));
	for (const e of events) if (e.guestKey) expect(keys.has(String(e.guestKey))).toBe(true);
	// Nothing that looks like a masked number (the send node's `recipient`) either.
	expect(text).not.toMatch(/\+\d{1,3}[\s\d]*[•*x]{3,}/);
});

test('journey stages per guest, in funnel terms', () => {
	const { lucia, ben, carla } = run.guests;
	const stages = (key: string) =>
		of('stage_changed')
			.filter((e) => e.guestKey === key)
			.map((e) => e.stage)
			.sort();
	expect(stages(lucia.guestKey)).toEqual(['booking_started', 'confirmed', 'first_contact', 'qualified', 'suggestions']);
	expect(stages(ben.guestKey)).toEqual(['abandoned', 'confirmed', 'upsold']);
	expect(stages(carla.guestKey)).toEqual(['abandoned']);
});

test('sends carry template, language, message id, retries and fallback; the confirmation its latency', () => {
	const sent = of('message_sent');
	expect(sent.map((e) => `${e.template}/${e.language}`).sort()).toEqual([
		'booking_reminder_1/en',
		'booking_reminder_1/pt_BR',
		'product_suggestions/es',
		'reservation_confirmation/en',
		'reservation_confirmation/es',
		'welcome_qualifier/es',
	]);
	for (const e of sent) {
		expect(String(e.messageId)).toMatch(/^wamid\./);
		expect(e.retries).toBe(0);
		expect(e.fallback).toBe(false);
	}
	const confirmations = sent.filter((e) => e.template === 'reservation_confirmation');
	for (const e of confirmations) {
		expect(typeof e.latencyMs).toBe('number');
		expect(e.latencyMs as number).toBeGreaterThanOrEqual(0);
		expect(e.latencyMs as number).toBeLessThan(60_000);
	}
	// Reminders are sent on purpose later: no webhook latency for them.
	for (const e of sent.filter((s) => s.template !== 'reservation_confirmation')) expect(e.latencyMs).toBeNull();
});

test('status webhooks: delivered and read name the sent message; the failure carries Meta’s code', () => {
	const sentIds = new Set(of('message_sent').map((e) => e.messageId));
	for (const e of [...of('message_delivered'), ...of('message_read'), ...of('message_failed')]) expect(sentIds.has(e.messageId)).toBe(true);
	const [failed] = of('message_failed');
	expect(failed).toMatchObject({ errorCode: '131049', guestKey: run.guests.carla.guestKey });
	const [read] = of('message_read');
	expect(read.guestKey).toBe(run.guests.ben.guestKey);
});

test('replies and button taps point at the message they answer', () => {
	const { lucia } = run.guests;
	const [reply] = of('guest_reply');
	expect(reply).toMatchObject({ guestKey: lucia.guestKey, messageId: null });
	const [tap] = of('button_click');
	const welcome = of('message_sent').find((e) => e.template === 'welcome_qualifier');
	expect(tap).toMatchObject({ guestKey: lucia.guestKey, messageId: welcome?.messageId });
});

test('conversions carry amount and currency; refusals reason and HTTP status', () => {
	const { lucia, ben } = run.guests;
	expect(
		of('conversion')
			.map((e) => [e.bookingId, e.amount, e.currency, e.stage])
			.sort(),
	).toEqual([
		[ben.bookingId, 900, 'EUR', null],
		[ben.bookingId, 120, 'EUR', 'upsold'], // the extra Ben bought
		[lucia.bookingId, 1240, 'EUR', null],
	].sort());
	expect(
		of('webhook_rejected')
			.map((e) => `${e.source} ${e.reason} ${e.httpStatus}`)
			.sort(),
	).toEqual(['booking bad_signature 401', 'booking invalid_event 422', 'whatsapp bad_signature 401']);
	expect(of('webhook_received').map((e) => e.source).sort()).toEqual(['booking', 'booking', 'booking', 'booking', 'booking', 'booking', 'whatsapp', 'whatsapp']);
});

test('the figures of the run, from the recorded rows', () => {
	const { events: parsed } = parseAnalyticsEvents(events);
	// WhatsApp timestamps are whole seconds: the period starts a second before the script.
	const figures = computeAnalytics(parsed, { from: new Date(Date.parse(run.startedAt) - 1000).toISOString(), to: new Date(Date.parse(run.finishedAt) + 1000).toISOString() });
	expect(figures.operations.webhooks).toMatchObject({ received: 11, accepted: 8, rejected: 3, rejectionRate: 0.2727 });
	expect(figures.operations.messages).toMatchObject({ attempted: 6, sent: 6, delivered: 5, failed: 1, deliveryRate: 0.8333, failureRate: 0.1667, failuresByCode: { '131049': 1 } });
	expect(figures.funnel.stages.find((s) => s.stage === 'recovered')?.guests).toBe(1);
	expect(figures.funnel.stages.find((s) => s.stage === 'upsold')?.guests).toBe(1); // Ben
	expect(figures.funnel.recovery).toMatchObject({ abandonedBookings: 2, recoveredBookings: 1, rate: 0.5 });
	expect(figures.revenue.perJourney).toContainEqual({ bookingId: run.guests.ben.bookingId, revenue: { EUR: 1020 } }); // 900 + 120
	expect(figures.revenue.perTemplate).toEqual([
		{ template: 'booking_reminder_1', revenue: { EUR: 900 } },
		{ template: 'product_suggestions', revenue: { EUR: 1240 } },
		// Ben's extra: last touch for his booking is his confirmation (no upsell_offer was sent in this script).
		{ template: 'reservation_confirmation', revenue: { EUR: 120 } },
	]);
});

test('recording on the booking hot path: a confirmation is recorded after it was sent; what inserts cost', async () => {
	const abandonmentId = resort.workflowIds[2];
	const executions = await n8n.listExecutions({ workflowId: abandonmentId, limit: 50 });
	type Run = { startTime?: number; executionTime?: number; error?: unknown };
	const before: number[] = [];
	const confirmed: number[] = [];
	for (const summary of executions) {
		const detail = await n8n.getExecution(summary.id);
		const runData = (detail.data?.resultData.runData ?? {}) as Record<string, Run[] | undefined>;
		const early = runData['Record Booking Webhook']?.[0];
		if (early?.executionTime !== undefined) before.push(early.executionTime);
		const late = runData['Record Confirmed Webhook']?.[0];
		if (late) {
			// Confirm Reservation (the sub-workflow that sends) finished before the insert started.
			const send = runData['Confirm Reservation']?.[0];
			expect(send?.startTime).toBeDefined();
			expect(late.startTime!).toBeGreaterThanOrEqual(send!.startTime! + (send!.executionTime ?? 0));
			expect(late.error).toBeUndefined();
			confirmed.push(late.executionTime ?? 0);
		}
	}
	expect(confirmed).toHaveLength(2);
	const latencies = of('message_sent')
		.filter((e) => e.template === 'reservation_confirmation')
		.map((e) => e.latencyMs);
	console.log(
		`inserts: Record Booking Webhook (before a Wait) ${before.sort((a, b) => a - b).join(', ')} ms; Record Confirmed Webhook (after the send) ${confirmed.join(', ')} ms; confirmation latency webhook → WhatsApp: ${latencies.join(', ')} ms`,
	);
});
