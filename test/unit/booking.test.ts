import { readFileSync } from 'fs';
import { join } from 'path';
import {
	actionability,
	adaptCloudbeds,
	BOOKING_EVENT_TYPES,
	adaptMews,
	completeMewsEvent,
	bookingEventJsonSchemaText,
	replaceFieldsTable,
	signBookingWebhook,
	validateBookingEvent,
	verifyBookingToken,
	verifyBookingWebhook,
	type BookingEvent,
} from '../../lib/booking';

const root = join(__dirname, '..', '..');
const example = (name: string) => JSON.parse(readFileSync(join(root, 'templates/examples/booking', name), 'utf8'));

const confirmed = example('reservation-confirmed.json');
const base = () => JSON.parse(JSON.stringify(confirmed));
const errorsOf = (json: unknown) => {
	const r = validateBookingEvent(json);
	if (r.ok) throw new Error('expected invalid');
	return r.errors;
};

describe('generated artefacts never drift from the zod definition', () => {
	it('templates/booking-event.schema.json equals the generated JSON Schema', () => {
		expect(readFileSync(join(root, 'templates/booking-event.schema.json'), 'utf8')).toBe(bookingEventJsonSchemaText());
	});
	it('docs/booking-events.md carries the generated field table', () => {
		const doc = readFileSync(join(root, 'docs/booking-events.md'), 'utf8');
		expect(replaceFieldsTable(doc)).toBe(doc);
		expect(doc).toContain('| `amount` | object | only `reservation_confirmed`, `extra_purchased` |');
		expect(doc).toContain('| `stay` | object | yes, except `booking_started`, `extra_purchased` |');
		expect(doc).toContain('| `extra.id` | string (1–200 chars) | only `extra_purchased` |');
	});
});

describe('validateBookingEvent', () => {
	it('accepts a valid event of each of the seven types', () => {
		const types = ['booking_started', 'booking_abandoned', 'reservation_confirmed', 'reservation_cancelled', 'checked_in', 'checked_out', 'extra_purchased'];
		expect(BOOKING_EVENT_TYPES).toEqual(types);
		for (const type of types) {
			const extra = type === 'extra_purchased' ? { extra: { id: 'spa-for-two' } } : {};
			const r = validateBookingEvent({ ...base(), type, eventId: `e-${type}`, ...extra });
			expect(r).toEqual({ ok: true, event: { ...base(), type, eventId: `e-${type}`, ...extra } });
		}
	});

	it('accepts the example payloads', () => {
		for (const f of ['reservation-confirmed.json', 'booking-abandoned.json', 'booking-started-needs-review.json', 'extra-purchased.json']) {
			expect(validateBookingEvent(example(f)).ok).toBe(true);
		}
	});

	it('per-type requirements: amount only for reservation_confirmed, stay optional only for booking_started', () => {
		const { amount: _a, ...noAmount } = base();
		expect(errorsOf(noAmount)).toEqual([{ path: 'amount', message: 'is required' }]);
		expect(validateBookingEvent({ ...noAmount, type: 'reservation_cancelled' }).ok).toBe(true);
		const { stay: _s, ...noStay } = base();
		expect(validateBookingEvent({ ...noStay, type: 'booking_started' }).ok).toBe(true);
		expect(errorsOf({ ...noStay, type: 'booking_abandoned' })).toEqual([{ path: 'stay', message: 'is required' }]);
	});

	it('names every invalid field with a dotted path', () => {
		const bad = base();
		bad.eventId = '';
		bad.occurredAt = '2026-06-01T18:30:00'; // no offset
		bad.guest.phone = '600 123 456';
		bad.guest.language = 'spanish';
		bad.guest.marketingConsent = 'yes';
		bad.guest.timeZone = 'Mars/Olympus';
		bad.stay.checkIn = '2026-02-30';
		bad.stay.adults = 0;
		bad.stay.children = 1.5;
		bad.amount.value = -1;
		bad.amount.currency = 'eur';
		bad.source = 'Direct Booking';
		bad.bookingUrl = 'javascript:alert(1)';
		bad.extra = true;
		const paths = errorsOf(bad).map((e) => e.path);
		expect(paths).toEqual([
			'eventId',
			'occurredAt',
			'guest.phone',
			'guest.language',
			'guest.marketingConsent',
			'guest.timeZone',
			'stay.checkIn',
			'stay.adults',
			'stay.children',
			'amount.value',
			'amount.currency',
			'source',
			'bookingUrl',
			'extra',
		]);
	});

	it('gives readable messages for type, missing fields, dates and unknown keys', () => {
		const b = base();
		b.stay.checkOut = '2026-07-10';
		expect(errorsOf(b)).toEqual([{ path: 'stay.checkOut', message: 'must be after checkIn' }]);
		expect(errorsOf({ ...base(), type: 'booked' })).toEqual([
			{ path: 'type', message: 'must be one of booking_started, booking_abandoned, reservation_confirmed, reservation_cancelled, checked_in, checked_out, extra_purchased' },
		]);
		const g = base();
		delete g.guest.name;
		g.guest.nickname = 'Lu';
		expect(errorsOf(g)).toEqual([
			{ path: 'guest.name', message: 'is required' },
			{ path: 'guest.nickname', message: 'is not a known field (put extra data in metadata)' },
		]);
		expect(errorsOf({ ...base(), guest: 'Lucía' })).toEqual([{ path: 'guest', message: 'must be an object' }]);
		const s = base();
		delete s.stay.adults;
		delete s.stay.checkIn;
		delete s.occurredAt;
		expect(errorsOf(s)).toEqual([
			{ path: 'occurredAt', message: 'is required' },
			{ path: 'stay.checkIn', message: 'is required' },
			{ path: 'stay.adults', message: 'is required' },
		]);
	});

	describe('extra_purchased', () => {
		const purchase = () => example('extra-purchased.json');

		it('needs bookingId, guest, amount and what was bought; stay may be left out', () => {
			const r = validateBookingEvent(purchase());
			expect(r.ok && r.event).toMatchObject({
				type: 'extra_purchased',
				bookingId: 'R-20260710-0042',
				amount: { value: 180, currency: 'EUR' },
				extra: { id: 'spa-for-two', name: 'Sunset spa ritual for two', quantity: 1 },
			});
			expect(r.ok && r.event.stay).toBeUndefined();
			const { name: _n, quantity: _q, ...idOnly } = purchase().extra;
			expect(validateBookingEvent({ ...purchase(), extra: idOnly }).ok).toBe(true);
			// A stay, when given, is checked like any other.
			expect(errorsOf({ ...purchase(), stay: { ...base().stay, checkOut: '2026-07-01' } })).toEqual([{ path: 'stay.checkOut', message: 'must be after checkIn' }]);
		});

		it('names each missing or broken field of the purchase', () => {
			const { amount: _a, extra: _e, bookingId: _b, ...bare } = purchase();
			expect(errorsOf(bare)).toEqual([
				{ path: 'bookingId', message: 'is required' },
				{ path: 'amount', message: 'is required' },
				{ path: 'extra', message: 'is required' },
			]);
			expect(errorsOf({ ...purchase(), amount: { value: -5, currency: 'euro' }, extra: { name: 'Spa', quantity: 0, colour: 'blue' } })).toEqual([
				{ path: 'amount.value', message: 'Too small: expected number to be >=0' },
				{ path: 'amount.currency', message: 'must be an ISO 4217 code of 3 capital letters (EUR, USD)' },
				{ path: 'extra.id', message: 'is required' },
				{ path: 'extra.quantity', message: 'Too small: expected number to be >=1' },
				{ path: 'extra.colour', message: 'is not a known field (put extra data in metadata)' },
			]);
			expect(errorsOf({ ...purchase(), extra: 'spa' })).toEqual([{ path: 'extra', message: 'must be an object' }]);
		});

		it('extra belongs to extra_purchased only', () => {
			expect(errorsOf({ ...base(), extra: { id: 'spa-for-two' } })).toEqual([{ path: 'extra', message: 'is not a known field (put extra data in metadata)' }]);
		});
	});

	it('never throws on hostile input', () => {
		for (const input of [null, undefined, 42, 'x', [], { type: {} }, Object.create(null)]) {
			expect(validateBookingEvent(input).ok).toBe(false);
		}
		expect(errorsOf(null)).toEqual([{ path: '(root)', message: 'must be an object' }]);
	});
});

describe('actionability (valid but needs review)', () => {
	const known = new Set(['family-suite', 'ocean-villa']);
	const event = (patch: (e: any) => void): BookingEvent => {
		const e = base();
		patch(e);
		const r = validateBookingEvent(e);
		if (!r.ok) throw new Error(JSON.stringify(r.errors));
		return r.event;
	};

	it('a complete transactional event is actionable', () => {
		expect(actionability(event(() => {}), { knownAccommodationIds: known })).toEqual({ actionable: true, reasons: [] });
	});
	it('no phone, no consent for a marketing event, unknown accommodation', () => {
		const e = event((x) => {
			x.type = 'booking_abandoned';
			delete x.guest.phone;
			x.guest.marketingConsent = false;
			x.stay.accommodationId = 'moon-suite';
		});
		expect(actionability(e, { knownAccommodationIds: known })).toEqual({
			actionable: false,
			reasons: ['missing_phone', 'no_marketing_consent', 'unknown_accommodation'],
		});
	});
	it('consent only matters for marketing events; accommodation only checked when a catalog is given', () => {
		expect(actionability(event((x) => (x.guest.marketingConsent = false))).actionable).toBe(true);
		expect(actionability(event((x) => (x.stay.accommodationId = 'moon-suite'))).actionable).toBe(true);
	});
	it('extra_purchased sends nothing to the guest: no phone or an unknown accommodation is no reason for review', () => {
		const r = validateBookingEvent({ ...example('extra-purchased.json'), guest: { name: 'Lucía', language: 'es', marketingConsent: false }, stay: { ...base().stay, accommodationId: 'moon-suite' } });
		if (!r.ok) throw new Error(JSON.stringify(r.errors));
		expect(actionability(r.event, { knownAccommodationIds: known })).toEqual({ actionable: true, reasons: [] });
		// The same guest on an event that messages them still goes to review.
		const { amount: _a, extra: _e, ...rest } = r.event as Record<string, unknown>;
		const checkedIn = validateBookingEvent({ ...rest, type: 'checked_in' });
		if (!checkedIn.ok) throw new Error(JSON.stringify(checkedIn.errors));
		expect(actionability(checkedIn.event, { knownAccommodationIds: known }).reasons).toEqual(['missing_phone', 'unknown_accommodation']);
	});
	it('the needs-review example payload', () => {
		const r = validateBookingEvent(example('booking-started-needs-review.json'));
		expect(r.ok && actionability(r.event)).toEqual({ actionable: false, reasons: ['missing_phone', 'no_marketing_consent'] });
	});
});

describe('HMAC webhook authentication', () => {
	const secret = 'whsec_test_123';
	const body = JSON.stringify(confirmed);
	const now = 1_781_000_000;
	const clock = (t: number) => () => t;

	it('signs and verifies t=,v1= headers', () => {
		const header = signBookingWebhook(body, secret, now);
		expect(header).toMatch(/^t=1781000000,v1=[0-9a-f]{64}$/);
		expect(verifyBookingWebhook(body, { 'X-Resort-Signature': header }, { secret, now: clock(now) })).toEqual({ ok: true });
		expect(verifyBookingWebhook(Buffer.from(body), { 'x-resort-signature': [header] }, { secret, now: clock(now) })).toEqual({ ok: true });
	});

	it('replay window of 300 s in both directions', () => {
		const header = signBookingWebhook(body, secret, now);
		const at = (t: number) => verifyBookingWebhook(body, { 'x-resort-signature': header }, { secret, now: clock(t) });
		expect(at(now + 300)).toEqual({ ok: true });
		expect(at(now - 300)).toEqual({ ok: true });
		expect(at(now + 301)).toEqual({ ok: false, reason: 'stale_timestamp' });
		expect(at(now - 301)).toEqual({ ok: false, reason: 'stale_timestamp' });
		expect(verifyBookingWebhook(body, { 'x-resort-signature': header }, { secret, now: clock(now + 500), toleranceSeconds: 600 })).toEqual({ ok: true });
	});

	it('missing, malformed and bad signatures', () => {
		const opts = { secret, now: clock(now) };
		const good = signBookingWebhook(body, secret, now);
		expect(verifyBookingWebhook(body, {}, opts)).toEqual({ ok: false, reason: 'missing_signature' });
		expect(verifyBookingWebhook(body, { 'x-resort-signature': ' ' }, opts)).toEqual({ ok: false, reason: 'missing_signature' });
		for (const h of ['garbage', 't=abc,v1=' + 'a'.repeat(64), `t=${now}`, `t=${now},v1=xyz`, 'v1=' + 'a'.repeat(64)]) {
			expect(verifyBookingWebhook(body, { 'x-resort-signature': h }, opts)).toEqual({ ok: false, reason: 'malformed_signature' });
		}
		expect(verifyBookingWebhook(body + ' ', { 'x-resort-signature': good }, opts)).toEqual({ ok: false, reason: 'bad_signature' });
		expect(verifyBookingWebhook(body, { 'x-resort-signature': good }, { ...opts, secret: 'other' })).toEqual({ ok: false, reason: 'bad_signature' });
		// a forged, old request is reported as bad_signature, not stale: the timestamp is only trusted once signed
		const forgedOld = `t=${now - 9999},v1=${'0'.repeat(64)}`;
		expect(verifyBookingWebhook(body, { 'x-resort-signature': forgedOld }, opts)).toEqual({ ok: false, reason: 'bad_signature' });
		// changing t invalidates the signature
		expect(verifyBookingWebhook(body, { 'x-resort-signature': good.replace(`t=${now}`, `t=${now + 1}`) }, opts)).toEqual({ ok: false, reason: 'bad_signature' });
	});

	it('secret rotation: several v1 entries and several secrets', () => {
		const oldSig = signBookingWebhook(body, 'old', now).split(',')[1];
		const newSig = signBookingWebhook(body, 'new', now).split(',')[1];
		const header = `t=${now},${oldSig},${newSig}`;
		expect(verifyBookingWebhook(body, { 'x-resort-signature': header }, { secret: 'new', now: clock(now) })).toEqual({ ok: true });
		expect(verifyBookingWebhook(body, { 'x-resort-signature': `t=${now},${oldSig}` }, { secret: ['new', 'old'], now: clock(now) })).toEqual({ ok: true });
	});

	it('separate timestamp header option', () => {
		const v1 = signBookingWebhook(body, secret, now).split('v1=')[1];
		const opts = { secret, now: clock(now), signatureHeader: 'X-Signature', timestampHeader: 'X-Timestamp' };
		expect(verifyBookingWebhook(body, { 'x-signature': v1, 'x-timestamp': String(now) }, opts)).toEqual({ ok: true });
		expect(verifyBookingWebhook(body, { 'x-signature': `sha256=${v1}`, 'x-timestamp': String(now) }, opts)).toEqual({ ok: true });
		expect(verifyBookingWebhook(body, { 'x-signature': v1 }, opts)).toEqual({ ok: false, reason: 'missing_signature' });
		expect(verifyBookingWebhook(body, { 'x-signature': v1, 'x-timestamp': 'yesterday' }, opts)).toEqual({ ok: false, reason: 'malformed_signature' });
		expect(verifyBookingWebhook(body, { 'x-signature': v1, 'x-timestamp': String(now - 400) }, opts)).toEqual({ ok: false, reason: 'bad_signature' });
	});

	it('secret token mode (header, Bearer, query)', () => {
		const token = 'tok_8f2c1d';
		expect(verifyBookingToken({ 'X-Resort-Token': token }, {}, { token })).toEqual({ ok: true });
		expect(verifyBookingToken({ authorization: `Bearer ${token}` }, {}, { token, header: 'Authorization' })).toEqual({ ok: true });
		expect(verifyBookingToken({}, { token }, { token, queryParam: 'token' })).toEqual({ ok: true });
		expect(verifyBookingToken({}, { token }, { token })).toEqual({ ok: false, reason: 'missing_token' });
		expect(verifyBookingToken({ 'x-resort-token': 'tok_8f2c1e' }, {}, { token })).toEqual({ ok: false, reason: 'bad_token' });
		expect(verifyBookingToken({ 'x-resort-token': token }, {}, { token: '' })).toEqual({ ok: false, reason: 'bad_token' });
	});
});

describe('Cloudbeds adapter', () => {
	const STAY_AND_GUEST = ['guest.language', 'guest.marketingConsent', 'guest.name', 'guest.phone', 'stay.accommodationId', 'stay.adults', 'stay.children'];

	it('reservation/created: dates mapped, type left to the follow-up fetch', () => {
		const r = adaptCloudbeds(example('cloudbeds-reservation-created.json'));
		expect(r.ignored).toEqual([]);
		expect(r.events).toEqual([
			{
				event: {
					eventId: 'cloudbeds:318267:7061304407766:created:1781000000.073195',
					occurredAt: '2026-06-09T10:13:20.073Z',
					bookingId: '7061304407766',
					source: 'cloudbeds',
					metadata: { platform: 'cloudbeds', event: 'reservation/created', propertyId: '318267' },
					stay: { checkIn: '2026-07-10', checkOut: '2026-07-14' },
				},
				missing: ['amount.currency', 'amount.value', ...STAY_AND_GUEST, 'type'].sort(),
			},
		]);
	});

	it('reservation/status_changed canceled → reservation_cancelled; the same delivery gives the same eventId', () => {
		const payload = example('cloudbeds-reservation-status-changed.json');
		const r = adaptCloudbeds(payload);
		expect(r.events).toHaveLength(1);
		const { event, missing } = r.events[0];
		expect(event.type).toBe('reservation_cancelled');
		expect(event.eventId).toBe('cloudbeds:318267:7061304407766:canceled:1781003600.816514');
		expect(event.occurredAt).toBe('2026-06-09T11:13:20.817Z');
		expect(missing).toEqual(['guest.language', 'guest.marketingConsent', 'guest.name', 'guest.phone', 'stay.accommodationId', 'stay.adults', 'stay.checkIn', 'stay.checkOut', 'stay.children']);
		expect(adaptCloudbeds(JSON.parse(JSON.stringify(payload))).events[0].event.eventId).toBe(event.eventId);
		expect(adaptCloudbeds({ ...payload, status: 'checked_in' }).events[0].event).toMatchObject({ type: 'checked_in', eventId: 'cloudbeds:318267:7061304407766:checked_in:1781003600.816514' });
	});

	it('maps every Cloudbeds status, ignoring those without a guest message', () => {
		const payload = example('cloudbeds-reservation-status-changed.json');
		const types = ['confirmed', 'not_confirmed', 'canceled', 'checked_in', 'checked_out', 'no_show'].map((status) => {
			const r = adaptCloudbeds({ ...payload, status });
			return r.events[0]?.event.type ?? r.ignored[0].reason;
		});
		expect(types).toEqual([
			'reservation_confirmed',
			'Cloudbeds status not_confirmed does not trigger a guest message',
			'reservation_cancelled',
			'checked_in',
			'checked_out',
			'Cloudbeds status no_show does not trigger a guest message',
		]);
	});

	it('ignores other events and malformed bodies', () => {
		expect(adaptCloudbeds({ event: 'guest/created', timestamp: 1 }).ignored).toEqual([{ reason: 'Cloudbeds event guest/created is not handled (only reservation/created, reservation/status_changed)' }]);
		expect(adaptCloudbeds([]).ignored).toEqual([{ reason: 'not a Cloudbeds webhook: body is not a JSON object' }]);
		expect(adaptCloudbeds({ event: 'reservation/created', propertyID: 1, timestamp: 5 }).ignored).toEqual([
			{ reason: 'Cloudbeds reservation/created without reservationID, propertyID or a valid timestamp' },
		]);
	});
});

describe('Mews adapter', () => {
	const payload = example('mews-general-webhook.json');

	it('one partial event per ServiceOrderUpdated; other discriminators ignored', () => {
		const r = adaptMews(payload);
		expect(r.events).toEqual([
			{
				event: {
					bookingId: 'bfee2c44-1f84-4326-a862-5289598f6e2d',
					source: 'mews',
					metadata: {
						platform: 'mews',
						discriminator: 'ServiceOrderUpdated',
						enterpriseId: '851df8c8-90f2-4c4a-8e01-a4fc46b25178',
						integrationId: 'c8bee838-7fb1-4f4e-8fac-ac87008b2f90',
					},
				},
				missing: [
					'amount.currency', 'amount.value', 'eventId', 'guest.language', 'guest.marketingConsent', 'guest.name', 'guest.phone',
					'occurredAt', 'stay.accommodationId', 'stay.adults', 'stay.checkIn', 'stay.checkOut', 'stay.children', 'type',
				],
			},
		]);
		expect(r.ignored.map((i) => i.reason)).toEqual([
			'Mews ResourceUpdated 7cccbdc6-73cf-4cd4-8056-6fd00f4d9699 is not a reservation event',
			'Mews MessageAdded 4bfe4675-98a9-4428-9ea9-ae5300dbaa93 is not a reservation event',
			'Mews CustomerAdded c2f1d888-232e-49eb-87ac-5f75363af13b is not a reservation event',
			'Mews CustomerUpdated b3ce0fd7-a715-4bfc-969e-ef7a4822963c is not a reservation event',
		]);
	});

	it('deduplicates a reservation repeated in one message and rejects non-envelopes', () => {
		const twice = { ...payload, Events: [payload.Events[0], payload.Events[0]] };
		const r = adaptMews(twice);
		expect(r.events).toHaveLength(1);
		expect(r.ignored).toEqual([{ reason: 'Mews ServiceOrderUpdated bfee2c44-1f84-4326-a862-5289598f6e2d repeated in the same message' }]);
		expect(adaptMews({ foo: 1 }).ignored).toEqual([{ reason: 'not a Mews General Webhook: no Events array' }]);
	});

	it('completeMewsEvent: State → type, deterministic eventId, local stay dates', () => {
		const [adapted] = adaptMews(payload).events;
		const reservation = {
			Id: 'bfee2c44-1f84-4326-a862-5289598f6e2d',
			State: 'Started',
			UpdatedUtc: '2026-07-10T13:02:11Z',
			ScheduledStartUtc: '2026-07-10T13:00:00Z',
			ScheduledEndUtc: '2026-07-13T22:30:00Z', // 00:30 next day in Madrid
			RequestedResourceCategoryId: 'cat-1',
		};
		const done = completeMewsEvent(adapted, reservation, { propertyTimeZone: 'Europe/Madrid', accommodationIdFor: (c) => (c === 'cat-1' ? 'ocean-villa' : undefined) });
		expect(done?.event).toMatchObject({
			type: 'checked_in',
			eventId: 'mews:851df8c8-90f2-4c4a-8e01-a4fc46b25178:bfee2c44-1f84-4326-a862-5289598f6e2d:Started:2026-07-10T13:02:11Z',
			occurredAt: '2026-07-10T13:02:11.000Z',
			stay: { checkIn: '2026-07-10', checkOut: '2026-07-14', accommodationId: 'ocean-villa' },
		});
		expect(done?.missing).toEqual(['guest.language', 'guest.marketingConsent', 'guest.name', 'guest.phone', 'stay.adults', 'stay.children']);
		expect(completeMewsEvent(adapted, { ...reservation, State: 'Optional' })).toBeNull();
	});
});
