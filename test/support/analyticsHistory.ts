/** A scripted day of guest-journey events whose figures are worked out by hand in test/unit/analytics.test.ts. */
import type { AnalyticsEvent } from '../../lib';

export const DAY = { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' };
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

export const HISTORY: AnalyticsEvent[] = [
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
