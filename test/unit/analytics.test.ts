/**
 * Every figure on one fixed, scripted day. The expected numbers are worked out by hand in the
 * comments next to them, not computed by the code under test.
 */
import {
	computeEngagement,
	computeFunnel,
	computeOperations,
	computeRevenue,
	parseAnalyticsEvents,
	percentile,
	type AnalyticsEvent,
} from '../../lib';
import { DAY, HISTORY } from '../support/analyticsHistory';

describe('operations figures', () => {
	const ops = computeOperations(HISTORY, DAY);

	test('webhooks: 8 accepted + 2 rejected in 24 h', () => {
		expect(ops.webhooks).toEqual({
			received: 10,
			accepted: 8,
			rejected: 2,
			perHour: 0.42, // 10 / 24 = 0.4166…
			rejectionRate: 0.2, // 2 / 10
			rejectionsByReason: { 'bad_signature (401)': 1, 'invalid_schema (422)': 1 },
		});
	});

	test('messages: 7 sent + 1 refused; 5 delivered; 2 failed', () => {
		expect(ops.messages).toEqual({
			attempted: 8, // m1 m2 m3 m4 m5 m7 m8 + the refused one (m0 was sent the day before)
			sent: 7,
			delivered: 5, // m1 m2 m3 m4 m7
			failed: 2, // m5 (status 131026) + refused (132001)
			deliveryRate: 0.625, // 5 / 8
			failureRate: 0.25, // 2 / 8
			failuresByCode: { '131026': 1, '132001': 1 },
			retries: 4, // m4: 1, refused: 3
			fallbacks: 1, // m7
		});
	});

	test('latencies, nearest rank', () => {
		// webhook → WhatsApp: [60, 80, 120] → p50 = 2nd = 80, p95 = p99 = 3rd = 120
		expect(ops.latencyMs.webhookToWhatsApp).toEqual({ count: 3, p50: 80, p95: 120, p99: 120 });
		// send → delivered: m1 2 s (first status, not the read), m2 1 s, m3 3 s, m4 4 s, m7 1 s
		// sorted [1000, 1000, 2000, 3000, 4000] → p50 = 3rd = 2000, p95 = p99 = 5th = 4000
		expect(ops.latencyMs.sendToDelivered).toEqual({ count: 5, p50: 2000, p95: 4000, p99: 4000 });
	});

	test('an empty period has no rates, not zero rates', () => {
		const empty = computeOperations(HISTORY, { from: '2025-01-01T00:00:00Z', to: '2025-01-02T00:00:00Z' });
		expect(empty.webhooks.rejectionRate).toBeNull();
		expect(empty.messages.deliveryRate).toBeNull();
		expect(empty.latencyMs.webhookToWhatsApp).toEqual({ count: 0, p50: null, p95: null, p99: null });
	});
});

describe('funnel figures', () => {
	const funnel = computeFunnel(HISTORY, DAY);

	test('guests per stage; recovered = B1 only (B3 converted but its reminder was refused)', () => {
		expect(Object.fromEntries(funnel.stages.map((s) => [s.stage, s.guests]))).toEqual({
			first_contact: 4,
			qualified: 2,
			suggestions: 2,
			booking_started: 3,
			abandoned: 3,
			recovered: 1,
			confirmed: 2,
			reviewed: 1,
			upsold: 0,
		});
	});

	test('conversion = share of the guests at a stage who reached the next', () => {
		expect(funnel.conversions.map((c) => c.rate)).toEqual([
			0.5, // first contact → qualified: G1 G2 of 4
			1, // qualified → suggestions: 2 of 2
			1, // suggestions → booking started: G1 G2 of G1 G2
			1, // started → abandoned: 3 of 3
			0.3333, // abandoned → recovered: G1 of 3
			1, // recovered → confirmed: G1 of G1
			0.5, // confirmed → reviewed: G1 of G1 G3
			0, // reviewed → upsold
		]);
	});

	test('abandonment recovery: 1 of 3 abandoned bookings, within the window', () => {
		expect(funnel.recovery).toEqual({ abandonedBookings: 3, recoveredBookings: 1, rate: 0.3333, attributionWindowHours: 168 });
		// A 2-hour window: B1 converted 3 h after its reminder → not recovered.
		expect(computeFunnel(HISTORY, DAY, { attributionWindowHours: 2 }).recovery.recoveredBookings).toBe(0);
	});
});

describe('engagement per template and language', () => {
	test('replies by context or by the last message to that guest; clicks by message or tracked link', () => {
		expect(computeEngagement(HISTORY, DAY)).toEqual([
			{ template: 'booking_reminder_1', language: 'en', sent: 1, replied: 0, clicked: 1, replyRate: 0, clickRate: 1 }, // link click B1
			{ template: 'booking_reminder_1', language: 'es', sent: 1, replied: 1, clicked: 0, replyRate: 1, clickRate: 0 }, // G2 at 04:30, no context
			{ template: 'product_suggestions', language: 'en', sent: 1, replied: 0, clicked: 1, replyRate: 0, clickRate: 1 },
			{ template: 'reservation_confirmation', language: 'en', sent: 1, replied: 0, clicked: 0, replyRate: 0, clickRate: 0 },
			{ template: 'upsell_offer', language: 'en', sent: 1, replied: 0, clicked: 0, replyRate: 0, clickRate: 0 }, // G4 replied the next day, outside
			{ template: 'welcome_qualifier', language: 'en', sent: 1, replied: 1, clicked: 1, replyRate: 1, clickRate: 1 },
			{ template: 'welcome_qualifier', language: 'es', sent: 1, replied: 1, clicked: 0, replyRate: 1, clickRate: 0 }, // G2 at 02:30
		]);
	});
});

describe('revenue', () => {
	test('per journey, and per template by last touch strictly before the conversion', () => {
		expect(computeRevenue(HISTORY, DAY)).toEqual({
			perJourney: [
				{ bookingId: 'B1', revenue: { EUR: 1240 } },
				{ bookingId: 'B3', revenue: { EUR: 500 } },
			],
			perTemplate: [
				{ template: 'booking_reminder_1', revenue: { EUR: 1240 } }, // m4, not the confirmation sent at the same instant
				{ template: 'unattributed', revenue: { EUR: 500 } }, // B3: its only reminder was refused
			],
		});
	});
});

describe('extras bought (extra_purchased → stage upsold + a conversion marked upsold)', () => {
	// A second hand-worked day, as booking-abandonment records it: GA abandons BA, is reminded,
	// books (1000 EUR), gets the review and the upsell_offer and buys the spa (180 EUR); GB is
	// reminded about BB and an extra (50 EUR) arrives for BB without BB ever being confirmed.
	const day = { from: '2026-08-01T00:00:00Z', to: '2026-08-02T00:00:00Z' };
	const at = (hhmm: string) => `2026-08-01T${hhmm}:00Z`;
	const events: AnalyticsEvent[] = [
		{ type: 'stage_changed', at: at('08:00'), stage: 'abandoned', guestKey: 'GA', bookingId: 'BA' },
		{ type: 'message_sent', at: at('08:10'), template: 'booking_reminder_1', messageId: 'r1', guestKey: 'GA', bookingId: 'BA' },
		{ type: 'stage_changed', at: at('09:00'), stage: 'abandoned', guestKey: 'GB', bookingId: 'BB' },
		{ type: 'message_sent', at: at('09:05'), template: 'booking_reminder_1', messageId: 'r2', guestKey: 'GB', bookingId: 'BB' },
		{ type: 'conversion', at: at('10:00'), amount: 1000, currency: 'EUR', guestKey: 'GA', bookingId: 'BA' },
		{ type: 'stage_changed', at: at('10:00'), stage: 'confirmed', guestKey: 'GA', bookingId: 'BA' },
		{ type: 'message_sent', at: at('10:01'), template: 'reservation_confirmation', messageId: 'c1', guestKey: 'GA', bookingId: 'BA' },
		{ type: 'conversion', at: at('11:00'), stage: 'upsold', amount: 50, currency: 'EUR', guestKey: 'GB', bookingId: 'BB' },
		{ type: 'stage_changed', at: at('11:00'), stage: 'upsold', guestKey: 'GB', bookingId: 'BB' },
		{ type: 'message_sent', at: at('12:00'), template: 'post_purchase_review', messageId: 'p1', guestKey: 'GA', bookingId: 'BA' },
		{ type: 'stage_changed', at: at('12:30'), stage: 'reviewed', guestKey: 'GA', bookingId: 'BA' },
		{ type: 'message_sent', at: at('13:00'), template: 'upsell_offer', messageId: 'u1', guestKey: 'GA', bookingId: 'BA' },
		{ type: 'conversion', at: at('15:00'), stage: 'upsold', amount: 180, currency: 'EUR', guestKey: 'GA', bookingId: 'BA' },
		{ type: 'stage_changed', at: at('15:00'), stage: 'upsold', guestKey: 'GA', bookingId: 'BA' },
	];

	test('upsold counts the guests who bought an extra; an extra recovers no booking', () => {
		const funnel = computeFunnel(events, day);
		const guests = Object.fromEntries(funnel.stages.map((s) => [s.stage, s.guests]));
		expect(guests).toMatchObject({ abandoned: 2, recovered: 1, confirmed: 1, reviewed: 1, upsold: 2 }); // upsold: GA, GB
		expect(funnel.conversions.find((c) => c.from === 'reviewed')).toEqual({ from: 'reviewed', to: 'upsold', rate: 1 }); // GA of GA
		// BB's only conversion is an extra: without the `upsold` mark it would read as recovered.
		expect(funnel.recovery).toMatchObject({ abandonedBookings: 2, recoveredBookings: 1, rate: 0.5 });
	});

	test('revenue: the extra adds to its booking, and goes to the last message before it (the upsell_offer)', () => {
		expect(computeRevenue(events, day)).toEqual({
			perJourney: [
				{ bookingId: 'BA', revenue: { EUR: 1180 } }, // 1000 + 180
				{ bookingId: 'BB', revenue: { EUR: 50 } },
			],
			perTemplate: [
				{ template: 'booking_reminder_1', revenue: { EUR: 1050 } }, // BA's booking (r1) + BB's extra (r2)
				{ template: 'upsell_offer', revenue: { EUR: 180 } }, // u1 at 13:00, the last before 15:00
			],
		});
	});

	test('the rows as the Data table returns them parse, stage and all', () => {
		const rows = events.map((e, i) => ({ id: i + 1, ...e, amount: e.amount === undefined ? null : String(e.amount), stage: e.stage ?? '' }));
		const { events: parsed, invalid } = parseAnalyticsEvents(rows);
		expect(invalid).toEqual([]);
		expect(computeFunnel(parsed, day).stages.find((s) => s.stage === 'upsold')?.guests).toBe(2);
		expect(computeRevenue(parsed, day).perTemplate).toContainEqual({ template: 'upsell_offer', revenue: { EUR: 180 } });
	});
});

describe('parsing Data table rows', () => {
	test('coerces what a Data table returns and names what is wrong', () => {
		const { events, invalid } = parseAnalyticsEvents([
			{ id: 1, createdAt: 'x', type: 'message_sent', at: '2026-11-01T01:00:00.000Z', latencyMs: '120', stage: '', template: 'a' },
			{ id: 2, type: 'message_exploded', at: 'yesterday' },
		]);
		expect(events).toHaveLength(1);
		expect(events[0]).toMatchObject({ type: 'message_sent', latencyMs: 120, stage: null });
		expect(invalid).toEqual([{ index: 1, problems: [expect.stringContaining('type'), expect.stringContaining('at')] }]);
	});

	test('percentile is nearest rank', () => {
		expect(percentile([1, 2, 3, 4], 50)).toBe(2);
		expect(percentile([1, 2, 3, 4], 75)).toBe(3);
		expect(percentile([7], 99)).toBe(7);
		expect(percentile([], 50)).toBeNull();
	});
});
