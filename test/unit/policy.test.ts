import { DateTime } from 'luxon';

import {
	evaluateSendPolicy,
	PolicyInputError,
	type SendPolicyDecision,
	type SendPolicyInput,
} from '../../lib/policy';

const at = (iso: string) => DateTime.fromISO(iso, { setZone: true });

const marketing: SendPolicyInput = {
	messageKind: 'template',
	category: 'MARKETING',
	marketingConsent: true,
	timeZone: 'UTC',
};

function decide(input: Partial<SendPolicyInput>, now: string): SendPolicyDecision {
	return evaluateSendPolicy({ ...marketing, ...input }, at(now));
}

function deferred(decision: SendPolicyDecision) {
	if (decision.decision !== 'defer')
		throw new Error(`expected defer, got ${JSON.stringify(decision)}`);
	return decision;
}

function inputError(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		if (error instanceof PolicyInputError) return error.field;
		throw error;
	}
	throw new Error('no PolicyInputError');
}

describe('opt-out and marketing consent', () => {
	test('a MARKETING template to an opted-out guest is blocked, even with consent', () => {
		expect(decide({ optedOut: true }, '2025-06-10T12:00:00Z')).toEqual({
			decision: 'block',
			reason: 'opted_out',
			message: expect.any(String),
		});
	});

	test('free-form MARKETING to an opted-out guest is blocked too', () => {
		const decision = decide(
			{ messageKind: 'freeform', optedOut: true, lastInboundAt: '2025-06-10T11:00:00Z' },
			'2025-06-10T12:00:00Z',
		);
		expect(decision).toMatchObject({ decision: 'block', reason: 'opted_out' });
	});

	test('MARKETING without consent on record is blocked: absent consent is no consent', () => {
		expect(decide({ marketingConsent: undefined }, '2025-06-10T12:00:00Z')).toMatchObject({
			decision: 'block',
			reason: 'no_marketing_consent',
		});
		expect(decide({ marketingConsent: false }, '2025-06-10T12:00:00Z')).toMatchObject({
			decision: 'block',
			reason: 'no_marketing_consent',
		});
	});

	test('opt-out wins over missing consent (both apply, opt-out is reported)', () => {
		expect(
			decide({ optedOut: true, marketingConsent: false }, '2025-06-10T12:00:00Z'),
		).toMatchObject({
			reason: 'opted_out',
		});
	});

	test('a marketing opt-out still lets a UTILITY booking confirmation and AUTHENTICATION go', () => {
		for (const category of ['UTILITY', 'AUTHENTICATION'] as const) {
			expect(
				decide({ category, optedOut: true, marketingConsent: false }, '2025-06-10T12:00:00Z'),
			).toEqual({
				decision: 'send',
			});
		}
	});

	test('opt-out of all messages blocks UTILITY too, but not a reply to the guest (SERVICE)', () => {
		expect(
			decide({ category: 'UTILITY', optedOut: true, optOutScope: 'all' }, '2025-06-10T12:00:00Z'),
		).toMatchObject({
			decision: 'block',
			reason: 'opted_out',
		});
		expect(
			decide(
				{
					messageKind: 'freeform',
					category: 'SERVICE',
					optedOut: true,
					optOutScope: 'all',
					lastInboundAt: '2025-06-10T11:59:00Z',
				},
				'2025-06-10T12:00:00Z',
			),
		).toEqual({ decision: 'send' });
	});

	test('consent is not needed for UTILITY, AUTHENTICATION or SERVICE', () => {
		for (const category of ['UTILITY', 'AUTHENTICATION'] as const) {
			expect(
				decide({ category, marketingConsent: undefined }, '2025-06-10T12:00:00Z').decision,
			).toBe('send');
		}
	});
});

describe('24-hour customer service window', () => {
	const freeform: Partial<SendPolicyInput> = { messageKind: 'freeform', category: 'SERVICE' };

	test('free-form inside the window is sent; at exactly 24 h it is blocked', () => {
		expect(
			decide({ ...freeform, lastInboundAt: '2025-06-09T12:00:01Z' }, '2025-06-10T12:00:00Z'),
		).toEqual({
			decision: 'send',
		});
		expect(
			decide({ ...freeform, lastInboundAt: '2025-06-09T12:00:00Z' }, '2025-06-10T12:00:00Z'),
		).toMatchObject({
			decision: 'block',
			reason: 'outside_service_window',
		});
	});

	test('the window is measured in instants, whatever offset the timestamp carries', () => {
		// 14:00+02:00 is 12:00Z: exactly 24 h before now.
		expect(
			decide({ ...freeform, lastInboundAt: '2025-06-09T14:00:00+02:00' }, '2025-06-10T12:00:00Z')
				.decision,
		).toBe('block');
		expect(
			decide({ ...freeform, lastInboundAt: '2025-06-09T14:30:00+02:00' }, '2025-06-10T12:00:00Z')
				.decision,
		).toBe('send');
	});

	test('unknown last message: free-form goes and Meta has the last word (131047)', () => {
		expect(decide({ ...freeform }, '2025-06-10T12:00:00Z')).toEqual({ decision: 'send' });
	});

	test('templates are allowed outside the window', () => {
		expect(
			decide(
				{ category: 'UTILITY', lastInboundAt: '2025-05-01T00:00:00Z' },
				'2025-06-10T12:00:00Z',
			),
		).toEqual({ decision: 'send' });
		expect(decide({ lastInboundAt: '2025-05-01T00:00:00Z' }, '2025-06-10T12:00:00Z')).toEqual({
			decision: 'send',
		});
	});

	test('free-form MARKETING deferred by quiet hours is blocked when the window closes first', () => {
		const base = { messageKind: 'freeform' as const, timeZone: 'UTC' };
		// Window open until 10:00 next day; quiet hours end 09:00: deferred.
		expect(
			deferred(decide({ ...base, lastInboundAt: '2025-01-15T10:00:00Z' }, '2025-01-15T21:30:00Z'))
				.sendAt,
		).toBe('2025-01-16T09:00:00.000Z');
		// Window closes 08:00, before quiet hours end: it could never be sent, so block.
		expect(
			decide({ ...base, lastInboundAt: '2025-01-15T08:00:00Z' }, '2025-01-15T21:30:00Z'),
		).toMatchObject({
			decision: 'block',
			reason: 'outside_service_window',
		});
	});
});

describe('quiet hours (default 21:00–09:00 on the guest clock)', () => {
	const madrid = { timeZone: 'Europe/Madrid' };

	test('evening: deferred to 09:00 the next local day', () => {
		// 21:30 in Madrid (UTC+1 in January).
		const decision = deferred(decide(madrid, '2025-01-15T20:30:00Z'));
		expect(decision).toEqual({
			decision: 'defer',
			sendAt: '2025-01-16T08:00:00.000Z',
			sendAtLocal: '2025-01-16T09:00:00.000+01:00',
			reason: 'quiet_hours',
			reasons: ['quiet_hours'],
			message: 'Quiet hours for the guest: next allowed 2025-01-16 09:00 Europe/Madrid',
		});
	});

	test('after midnight: deferred to 09:00 the same local day', () => {
		expect(deferred(decide(madrid, '2025-01-15T05:00:00Z')).sendAt).toBe(
			'2025-01-15T08:00:00.000Z',
		);
		// 00:00 local exactly.
		expect(deferred(decide(madrid, '2025-01-14T23:00:00Z')).sendAt).toBe(
			'2025-01-15T08:00:00.000Z',
		);
	});

	test('boundaries: 21:00 is quiet, 20:59:59 and 09:00 are not', () => {
		expect(deferred(decide(madrid, '2025-01-15T20:00:00Z')).sendAt).toBe(
			'2025-01-16T08:00:00.000Z',
		);
		expect(decide(madrid, '2025-01-15T19:59:59Z')).toEqual({ decision: 'send' });
		expect(decide(madrid, '2025-01-15T08:00:00Z')).toEqual({ decision: 'send' });
		expect(deferred(decide(madrid, '2025-01-15T07:59:59.500Z')).sendAt).toBe(
			'2025-01-15T08:00:00.000Z',
		);
	});

	test('the guest time zone decides, not the resort one', () => {
		// 12:00Z is 21:00 in Tokyo (quiet) and 13:00 in Madrid (not quiet).
		expect(deferred(decide({ timeZone: 'Asia/Tokyo' }, '2025-06-10T12:00:00Z')).sendAtLocal).toBe(
			'2025-06-11T09:00:00.000+09:00',
		);
		expect(decide({ timeZone: 'Europe/Madrid' }, '2025-06-10T12:00:00Z')).toEqual({
			decision: 'send',
		});
	});

	test("without a guest time zone the resort's applies, and without that UTC", () => {
		const noGuestZone = { timeZone: undefined };
		expect(
			deferred(decide({ ...noGuestZone, resortTimeZone: 'America/Cancun' }, '2025-06-11T02:30:00Z'))
				.sendAt,
		).toBe('2025-06-11T14:00:00.000Z'); // 21:30 in Cancún (UTC-5) → 09:00 = 14:00Z
		expect(deferred(decide(noGuestZone, '2025-06-10T22:00:00Z')).sendAt).toBe(
			'2025-06-11T09:00:00.000Z',
		);
	});

	test('custom quiet hours that do not wrap midnight, and equal start/end = none', () => {
		const lunch = { quietHours: { start: '13:00', end: '15:30' } };
		expect(deferred(decide(lunch, '2025-06-10T13:45:00Z')).sendAt).toBe('2025-06-10T15:30:00.000Z');
		expect(decide(lunch, '2025-06-10T22:00:00Z')).toEqual({ decision: 'send' });
		expect(
			decide({ quietHours: { start: '09:00', end: '09:00' } }, '2025-06-10T22:00:00Z').decision,
		).toBe('send');
		expect(decide({ quietHours: null }, '2025-06-10T22:00:00Z').decision).toBe('send');
	});

	test('UTILITY the guest just triggered goes at night; opting UTILITY in to quiet hours defers it', () => {
		expect(decide({ ...madrid, category: 'UTILITY' }, '2025-01-15T23:30:00Z')).toEqual({
			decision: 'send',
		});
		expect(decide({ ...madrid, category: 'AUTHENTICATION' }, '2025-01-15T23:30:00Z')).toEqual({
			decision: 'send',
		});
		expect(
			deferred(
				decide(
					{ ...madrid, category: 'UTILITY', quietHoursCategories: ['MARKETING', 'UTILITY'] },
					'2025-01-15T23:30:00Z',
				),
			).sendAt,
		).toBe('2025-01-16T08:00:00.000Z');
	});
});

describe('DST in Europe/Madrid', () => {
	const madrid = { timeZone: 'Europe/Madrid' };

	test('spring forward (30 March 2025, 02:00 → 03:00): 09:00 CEST is 07:00Z, not 08:00Z', () => {
		// 22:30 CET on the 29th; a fixed "+10h30" would land on 10:00 CEST.
		expect(deferred(decide(madrid, '2025-03-29T21:30:00Z'))).toMatchObject({
			sendAt: '2025-03-30T07:00:00.000Z',
			sendAtLocal: '2025-03-30T09:00:00.000+02:00',
		});
		// 01:30 CET, inside the night that loses an hour.
		expect(deferred(decide(madrid, '2025-03-30T00:30:00Z')).sendAt).toBe(
			'2025-03-30T07:00:00.000Z',
		);
		// 08:59 CEST is still quiet, 09:00 CEST is not.
		expect(deferred(decide(madrid, '2025-03-30T06:59:00Z')).sendAt).toBe(
			'2025-03-30T07:00:00.000Z',
		);
		expect(decide(madrid, '2025-03-30T07:00:00Z')).toEqual({ decision: 'send' });
	});

	test('fall back (26 October 2025, 03:00 → 02:00): 09:00 CET is 08:00Z', () => {
		expect(deferred(decide(madrid, '2025-10-25T20:00:00Z'))).toMatchObject({
			sendAt: '2025-10-26T08:00:00.000Z',
			sendAtLocal: '2025-10-26T09:00:00.000+01:00',
		});
		// 21:00 CET on the 26th starts the next quiet night.
		expect(deferred(decide(madrid, '2025-10-26T20:00:00Z')).sendAt).toBe(
			'2025-10-27T08:00:00.000Z',
		);
	});

	test('quiet hours ending inside the spring-forward gap end when the gap ends (03:00 CEST)', () => {
		const decision = deferred(
			decide({ ...madrid, quietHours: { start: '22:00', end: '02:30' } }, '2025-03-29T22:00:00Z'),
		);
		expect(decision.sendAt).toBe('2025-03-30T01:00:00.000Z');
		expect(decision.sendAtLocal).toBe('2025-03-30T03:00:00.000+02:00');
	});

	test('quiet hours ending in the repeated fall-back hour: the first 02:30, or the second one when already past it', () => {
		const quietHours = { start: '22:00', end: '02:30' };
		// 23:00 CEST on the 25th → first 02:30 (CEST).
		expect(deferred(decide({ ...madrid, quietHours }, '2025-10-25T21:00:00Z')).sendAtLocal).toBe(
			'2025-10-26T02:30:00.000+02:00',
		);
		// 02:10 CET, after the clocks went back: the wall clock reads 02:10 again → 02:30 CET.
		expect(deferred(decide({ ...madrid, quietHours }, '2025-10-26T01:10:00Z'))).toMatchObject({
			sendAt: '2025-10-26T01:30:00.000Z',
			sendAtLocal: '2025-10-26T02:30:00.000+01:00',
		});
	});
});

describe('frequency cap (default 2 MARKETING per guest per 24 h)', () => {
	const now = '2025-06-10T12:00:00Z';

	test('under the cap: sent', () => {
		expect(decide({ marketingSentAt: ['2025-06-10T08:00:00Z'] }, now)).toEqual({
			decision: 'send',
		});
	});

	test('at the cap: deferred until the oldest send leaves the window, rounded up to the minute', () => {
		const decision = deferred(
			decide({ marketingSentAt: ['2025-06-10T08:00:00Z', '2025-06-09T15:20:30Z'] }, now),
		);
		expect(decision).toEqual({
			decision: 'defer',
			sendAt: '2025-06-10T15:21:00.000Z',
			sendAtLocal: '2025-06-10T15:21:00.000Z',
			reason: 'frequency_cap',
			reasons: ['frequency_cap'],
			message: 'Marketing frequency cap reached for the guest: next allowed 2025-06-10 15:21 UTC',
		});
	});

	test('sends older than the window do not count; one exactly 24 h old has just left it', () => {
		expect(
			decide({ marketingSentAt: ['2025-06-09T11:59:59Z', '2025-06-10T08:00:00Z'] }, now).decision,
		).toBe('send');
		expect(
			decide({ marketingSentAt: ['2025-06-09T12:00:00Z', '2025-06-10T08:00:00Z'] }, now).decision,
		).toBe('send');
	});

	test('over the cap: waits until enough sends have aged out', () => {
		const sent = ['2025-06-10T10:00:00Z', '2025-06-09T13:00:00Z', '2025-06-09T18:00:00+02:00'];
		// In window: 13:00Z, 16:00Z, 10:00Z; two must leave → 16:00Z + 24 h.
		expect(deferred(decide({ marketingSentAt: sent }, now)).sendAt).toBe(
			'2025-06-10T16:00:00.000Z',
		);
	});

	test('a custom cap: 1 per 48 h', () => {
		expect(
			deferred(
				decide(
					{ marketingSentAt: ['2025-06-09T14:00:00Z'], frequencyCap: { max: 1, windowHours: 48 } },
					now,
				),
			).sendAt,
		).toBe('2025-06-11T14:00:00.000Z');
		expect(
			decide({ marketingSentAt: ['2025-06-09T14:00:00Z'], frequencyCap: null }, now).decision,
		).toBe('send');
	});

	test('when the cap releases inside quiet hours, quiet hours are checked again', () => {
		const decision = deferred(
			decide(
				{
					timeZone: 'Europe/Madrid',
					marketingSentAt: ['2025-06-09T20:30:00Z', '2025-06-10T09:00:00Z'],
				},
				now,
			),
		);
		// Released 2025-06-10T20:30Z = 22:30 CEST (quiet) → 09:00 CEST on the 11th.
		expect(decision).toMatchObject({
			sendAt: '2025-06-11T07:00:00.000Z',
			sendAtLocal: '2025-06-11T09:00:00.000+02:00',
			reason: 'quiet_hours',
			reasons: ['frequency_cap', 'quiet_hours'],
		});
	});

	test('in quiet hours and over the cap: the later of the two wins', () => {
		// 23:00 UTC, quiet until 09:00; the cap releases at 10:00 the next day.
		const decision = deferred(
			decide(
				{ marketingSentAt: ['2025-06-10T10:00:00Z', '2025-06-10T22:00:00Z'] },
				'2025-06-10T23:00:00Z',
			),
		);
		expect(decision).toMatchObject({
			sendAt: '2025-06-11T10:00:00.000Z',
			reasons: ['frequency_cap'],
		});
	});

	test('the cap applies to MARKETING only', () => {
		const full = ['2025-06-10T10:00:00Z', '2025-06-10T11:00:00Z', '2025-06-10T11:30:00Z'];
		expect(decide({ category: 'UTILITY', marketingSentAt: full }, now)).toEqual({
			decision: 'send',
		});
	});
});

describe('input the policy cannot judge', () => {
	test('names the offending field', () => {
		expect(inputError(() => decide({ timeZone: 'Europe/Atlantis' }, '2025-06-10T12:00:00Z'))).toBe(
			'timeZone',
		);
		expect(inputError(() => decide({ resortTimeZone: 'Mars/Base' }, '2025-06-10T12:00:00Z'))).toBe(
			'resortTimeZone',
		);
		expect(
			inputError(() =>
				decide({ marketingSentAt: ['2025-06-10T08:00:00Z', 'yesterday'] }, '2025-06-10T12:00:00Z'),
			),
		).toBe('marketingSentAt[1]');
		expect(inputError(() => decide({ lastInboundAt: '10/06/2025' }, '2025-06-10T12:00:00Z'))).toBe(
			'lastInboundAt',
		);
		expect(
			inputError(() =>
				decide({ quietHours: { start: '25:00', end: '09:00' } }, '2025-06-10T12:00:00Z'),
			),
		).toBe('quietHours.start');
		expect(
			inputError(() =>
				decide({ frequencyCap: { max: 0, windowHours: 24 } }, '2025-06-10T12:00:00Z'),
			),
		).toBe('frequencyCap.max');
		expect(
			inputError(() =>
				decide({ frequencyCap: { max: 2, windowHours: 0 } }, '2025-06-10T12:00:00Z'),
			),
		).toBe('frequencyCap.windowHours');
		expect(
			inputError(() =>
				decide({ category: 'PROMO' as SendPolicyInput['category'] }, '2025-06-10T12:00:00Z'),
			),
		).toBe('category');
	});

	test('accepts a JS Date for now, and "H:mm" quiet hours', () => {
		expect(
			evaluateSendPolicy(
				{ ...marketing, quietHours: { start: '9:00', end: '7:30' } },
				new Date('2025-06-10T22:00:00Z'),
			),
		).toMatchObject({ decision: 'defer', sendAt: '2025-06-11T07:30:00.000Z' });
	});
});
