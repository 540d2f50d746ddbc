import { DateTime } from 'luxon';

import { claimLeaseCutoff, reminderClaimState, takeOverConditions } from '../../lib';

const NOW = DateTime.fromISO('2026-12-02T10:00:00.000Z');
const ago = (minutes: number) => NOW.minus({ minutes }).toISO();

describe('reminderClaimState', () => {
	test('an unclaimed reminder is free', () => {
		expect(reminderClaimState({ reminder1Sent: false }, 1, NOW, 15)).toBe('free');
		expect(reminderClaimState({}, 2, NOW, 15)).toBe('free');
	});

	test('a recorded send is never taken over, however old', () => {
		const row = { reminder1Sent: true, reminderInFlight: true, reminder1MessageId: 'wamid.X', reminder1ClaimedAt: ago(600) };
		expect(reminderClaimState(row, 1, NOW, 15)).toBe('recorded');
	});

	test('an in-flight claim is held within the lease and abandoned after it', () => {
		const row = (claimedAt: unknown) => ({ reminder2Sent: true, reminderInFlight: true, reminder2MessageId: '', reminder2ClaimedAt: claimedAt });
		expect(reminderClaimState(row(ago(14)), 2, NOW, 15)).toBe('held');
		expect(reminderClaimState(row(ago(15)), 2, NOW, 15)).toBe('held');
		expect(reminderClaimState(row(ago(16)), 2, NOW, 15)).toBe('abandoned');
		// n8n hands dates to expressions as Date or luxon DateTime as well.
		expect(reminderClaimState(row(new Date(Date.parse(ago(16)!))), 2, NOW, 15)).toBe('abandoned');
		expect(reminderClaimState(row(NOW.minus({ minutes: 16 })), 2, NOW.toJSDate(), 15)).toBe('abandoned');
	});

	test('a claim without a time (rows from before leases) is held, not taken over', () => {
		expect(reminderClaimState({ reminder1Sent: true, reminderInFlight: true, reminder1ClaimedAt: null }, 1, NOW, 15)).toBe('held');
		expect(reminderClaimState({ reminder1Sent: true, reminderInFlight: true, reminder1ClaimedAt: 'not a date' }, 1, NOW, 15)).toBe('held');
	});

	test('a claim that is not in flight (failed send in review, or parked for quiet hours) is settled', () => {
		expect(reminderClaimState({ reminder1Sent: true, reminderInFlight: false, reminder1ClaimedAt: ago(600) }, 1, NOW, 15)).toBe('settled');
	});

	test('the slots are independent', () => {
		const row = { reminder1Sent: true, reminder1MessageId: 'wamid.1', reminder2Sent: true, reminderInFlight: true, reminder2ClaimedAt: ago(30) };
		expect(reminderClaimState(row, 1, NOW, 15)).toBe('recorded');
		expect(reminderClaimState(row, 2, NOW, 15)).toBe('abandoned');
	});
});

describe('claimLeaseCutoff', () => {
	test('is now minus the lease, fractions of a minute included', () => {
		expect(claimLeaseCutoff(NOW, 15).toISO()).toBe(ago(15));
		expect(claimLeaseCutoff(NOW.toJSDate(), 0.5).toMillis()).toBe(NOW.toMillis() - 30_000);
	});

	test('refuses a lease that would make every claim abandoned', () => {
		expect(() => claimLeaseCutoff(NOW, 0)).toThrow(/positive/);
		expect(() => claimLeaseCutoff(NOW, Number.NaN)).toThrow(/positive/);
	});
});

describe('takeOverConditions', () => {
	test('name the booking, an unrecorded in-flight claim older than the cutoff, and an open stage', () => {
		expect(takeOverConditions(1, '={{ b }}', '={{ c }}')).toEqual([
			{ keyName: 'bookingId', condition: 'eq', keyValue: '={{ b }}' },
			{ keyName: 'reminder1Sent', condition: 'isTrue' },
			{ keyName: 'reminder1MessageId', condition: 'isEmpty' },
			{ keyName: 'reminderInFlight', condition: 'isTrue' },
			{ keyName: 'reminder1ClaimedAt', condition: 'lt', keyValue: '={{ c }}' },
			{ keyName: 'stage', condition: 'neq', keyValue: 'converted' },
			{ keyName: 'stage', condition: 'neq', keyValue: 'cancelled' },
		]);
	});
});
