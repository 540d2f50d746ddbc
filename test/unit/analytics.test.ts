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

const DAY = { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' };
const t = (hhmmss: string, day = '2026-11-01') => `${day}T${hhmmss}Z`;

const sent = (id: string, at: string, guestKey: string, template: string, language: string, extra: Partial<AnalyticsEvent> = {}): AnalyticsEvent => ({
	type: 'message_sent',
	at,
	messageId: id,
	guestKey,
	template,
	language,
	...extra,
});
const status = (type: 'message_delivered' | 'message_read' | 'message_failed', id: string, at: string, extra: Partial<AnalyticsEvent> = {}): AnalyticsEvent => ({
	type,
	at,
	messageId: id,
	...extra,
});
const stage = (s: AnalyticsEvent['stage'], guestKey: string, at: string, bookingId?: string): AnalyticsEvent => ({
	type: 'stage_changed',
	stage: s,
	guestKey,
	at,
	bookingId,
});

const HISTORY: AnalyticsEvent[] = [
	// before the period: sent on the 31st, delivered inside the day — must not count
	sent('m0', t('23:00:00', '2026-10-31'), 'G4', 'welcome_qualifier', 'en'),
	status('message_delivered', 'm0', t('00:00:10')),
	// webhooks: 8 accepted, 2 rejected, and one at exactly `to` (excluded)
	...Array.from({ length: 8 }, (_, i): AnalyticsEvent => ({ type: 'webhook_received', at: t(`0${i}:30:00`), source: 'booking' })),
	{ type: 'webhook_rejected', at: t('09:00:00'), reason: 'bad_signature', httpStatus: 401 },
	{ type: 'webhook_rejected', at: t('10:00:00'), reason: 'invalid_schema', httpStatus: 422 },
	{ type: 'webhook_received', at: t('00:00:00', '2026-11-02') },
	// messages
	sent('m1', t('01:00:00'), 'G1', 'welcome_qualifier', 'en'),
	status('message_delivered', 'm1', t('01:00:02')),
	status('message_read', 'm1', t('01:05:00')),
	sent('m2', t('01:10:00'), 'G1', 'product_suggestions', 'en'),
	status('message_delivered', 'm2', t('01:10:01')),
	sent('m3', t('02:00:00'), 'G2', 'welcome_qualifier', 'es'),
	status('message_delivered', 'm3', t('02:00:03')),
	sent('m4', t('03:00:00'), 'G1', 'booking_reminder_1', 'en', { bookingId: 'B1', latencyMs: 120, retries: 1 }),
	status('message_delivered', 'm4', t('03:00:04')),
	sent('m5', t('04:00:00'), 'G2', 'booking_reminder_1', 'es', { bookingId: 'B2', latencyMs: 80 }),
	status('message_failed', 'm5', t('04:00:05'), { errorCode: 131026 }),
	{ type: 'message_failed', at: t('05:00:00'), guestKey: 'G3', bookingId: 'B3', template: 'booking_reminder_1', language: 'en', errorCode: 132001, retries: 3 },
	sent('m7', t('06:00:00'), 'G1', 'reservation_confirmation', 'en', { bookingId: 'B1', latencyMs: 60, fallback: true }),
	status('message_delivered', 'm7', t('06:00:01')),
	sent('m8', t('07:00:00'), 'G4', 'upsell_offer', 'en'),
	// guests answering
	{ type: 'button_click', at: t('01:02:00'), guestKey: 'G1', messageId: 'm1' },
	{ type: 'guest_reply', at: t('01:02:00'), guestKey: 'G1', messageId: 'm1' },
	{ type: 'guest_reply', at: t('02:30:00'), guestKey: 'G2' },
	{ type: 'link_click', at: t('01:20:00'), guestKey: 'G1', messageId: 'm2' },
	{ type: 'link_click', at: t('03:30:00'), guestKey: 'G1', template: 'booking_reminder_1', bookingId: 'B1' },
	{ type: 'guest_reply', at: t('04:30:00'), guestKey: 'G2' },
	{ type: 'guest_reply', at: t('10:00:00', '2026-11-02'), guestKey: 'G4' },
	// journey stages
	...['G1', 'G2', 'G3', 'G4'].map((g) => stage('first_contact', g, t('00:59:00'))),
	stage('qualified', 'G1', t('01:03:00')),
	stage('qualified', 'G2', t('02:31:00')),
	stage('suggestions', 'G1', t('01:10:00')),
	stage('suggestions', 'G2', t('02:32:00')),
	stage('booking_started', 'G1', t('02:10:00'), 'B1'),
	stage('booking_started', 'G2', t('03:10:00'), 'B2'),
	stage('booking_started', 'G3', t('04:10:00'), 'B3'),
	stage('abandoned', 'G1', t('02:59:00'), 'B1'),
	stage('abandoned', 'G2', t('03:59:00'), 'B2'),
	stage('abandoned', 'G3', t('04:59:00'), 'B3'),
	stage('confirmed', 'G1', t('06:00:00'), 'B1'),
	stage('confirmed', 'G3', t('08:00:00'), 'B3'),
	stage('reviewed', 'G1', t('12:00:00')),
	{ type: 'conversion', at: t('06:00:00'), guestKey: 'G1', bookingId: 'B1', amount: 1240, currency: 'EUR' },
	{ type: 'conversion', at: t('08:00:00'), guestKey: 'G3', bookingId: 'B3', amount: 500, currency: 'EUR' },
];

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
