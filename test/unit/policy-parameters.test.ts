import { DateTime } from 'luxon';

import { policyInputFromParameters, PolicyInputError, toTimes } from '../../lib/policy';

function inputError(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		if (error instanceof PolicyInputError) return error.field;
		throw error;
	}
	throw new Error('no PolicyInputError');
}

describe('policy parameters from n8n', () => {
	test('nothing set: templates are UTILITY, other messages SERVICE, resort zone and defaults apply', () => {
		expect(policyInputFromParameters({}, 'template', 'Europe/Madrid')).toEqual({
			messageKind: 'template',
			category: 'UTILITY',
			optedOut: undefined,
			optOutScope: 'marketing',
			marketingConsent: undefined,
			lastInboundAt: undefined,
			timeZone: undefined,
			resortTimeZone: 'Europe/Madrid',
			quietHours: { start: '21:00', end: '09:00' },
			quietHoursCategories: undefined,
			marketingSentAt: [],
			frequencyCap: { max: 2, windowHours: 24 },
		});
		expect(policyInputFromParameters({}, 'freeform').category).toBe('SERVICE');
	});

	test('values as Data tables and expressions deliver them', () => {
		const input = policyInputFromParameters(
			{
				category: 'marketing',
				optedOut: 'false',
				marketingConsent: 1,
				lastInboundAt: new Date('2025-06-10T11:00:00Z'),
				timeZone: ' Asia/Tokyo ',
				quietHoursStart: '22:30',
				quietHoursEnd: '',
				quietHoursCategories: 'MARKETING, utility',
				marketingSentAt: '["2025-06-10T08:00:00Z"]',
				frequencyCapMax: '3',
				frequencyCapWindowHours: 48,
			},
			'template',
		);
		expect(input).toMatchObject({
			category: 'MARKETING',
			optedOut: false,
			marketingConsent: true,
			lastInboundAt: '2025-06-10T11:00:00.000Z',
			timeZone: 'Asia/Tokyo',
			quietHours: { start: '22:30', end: '09:00' },
			quietHoursCategories: ['MARKETING', 'UTILITY'],
			marketingSentAt: ['2025-06-10T08:00:00Z'],
			frequencyCap: { max: 3, windowHours: 48 },
		});
		expect(policyInputFromParameters({ frequencyCapMax: 0 }, 'template').frequencyCap).toBeNull();
	});

	test('recent sends: arrays, JSON text, comma-separated text, Dates, epoch ms and luxon', () => {
		expect(
			toTimes([
				'2025-06-10T08:00:00Z',
				new Date('2025-06-10T09:00:00Z'),
				Date.UTC(2025, 5, 10, 10),
			]),
		).toEqual(['2025-06-10T08:00:00Z', '2025-06-10T09:00:00.000Z', '2025-06-10T10:00:00.000Z']);
		expect(toTimes('2025-06-10T08:00:00Z, 2025-06-10T09:00:00Z')).toEqual([
			'2025-06-10T08:00:00Z',
			'2025-06-10T09:00:00Z',
		]);
		expect(toTimes([DateTime.fromISO('2025-06-10T08:00:00Z', { zone: 'utc' })])).toEqual([
			'2025-06-10T08:00:00.000Z',
		]);
		expect(toTimes('')).toEqual([]);
		expect(toTimes('[]')).toEqual([]);
		expect(toTimes(null)).toEqual([]);
	});

	test('values it cannot judge name the field', () => {
		expect(inputError(() => policyInputFromParameters({ optedOut: 'maybe' }, 'template'))).toBe(
			'optedOut',
		);
		expect(inputError(() => policyInputFromParameters({ category: 'PROMO' }, 'template'))).toBe(
			'category',
		);
		expect(inputError(() => policyInputFromParameters({ optOutScope: 'some' }, 'template'))).toBe(
			'optOutScope',
		);
		expect(inputError(() => toTimes('[2025-06-10'))).toBe('marketingSentAt');
		expect(inputError(() => toTimes([{ at: 'x' }]))).toBe('marketingSentAt[0]');
	});
});
