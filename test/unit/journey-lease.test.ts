import { DateTime } from 'luxon';

import { claimLeaseCutoff, claimState, CLAIMS, reminderClaimState, takeOverConditions } from '../../lib';

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

describe('claimState for the confirmation, the review and the upsell', () => {
	test('the confirmation is claimed by the stage, recorded by its message id, abandoned in flight after the lease', () => {
		const row = (extra: Record<string, unknown>) => ({ stage: 'converted', confirmationInFlight: true, confirmationClaimedAt: ago(16), ...extra });
		expect(claimState({ stage: 'abandoned' }, 'confirmation', NOW, 15)).toBe('free');
		expect(claimState(row({}), 'confirmation', NOW, 15)).toBe('abandoned');
		expect(claimState(row({ confirmationClaimedAt: ago(5) }), 'confirmation', NOW, 15)).toBe('held');
		expect(claimState(row({ confirmationMessageId: 'wamid.C' }), 'confirmation', NOW, 15)).toBe('recorded');
		// Failed (review queue) or parked for a deferral: not in flight, never taken over.
		expect(claimState(row({ confirmationInFlight: false }), 'confirmation', NOW, 15)).toBe('settled');
		// Converted before leases existed: no in-flight flag, no time.
		expect(claimState({ stage: 'converted' }, 'confirmation', NOW, 15)).toBe('settled');
		expect(claimState(row({ confirmationClaimedAt: null }), 'confirmation', NOW, 15)).toBe('held');
	});

	test.each(['review', 'upsell'] as const)('the %s is claimed by its status "claimed" only', (claim) => {
		const status = `${claim}Status`;
		const base = { [`${claim}InFlight`]: true, [`${claim}ClaimedAt`]: ago(20) };
		expect(claimState({ ...base }, claim, NOW, 15)).toBe('free');
		expect(claimState({ ...base, [status]: '' }, claim, NOW, 15)).toBe('free');
		expect(claimState({ ...base, [status]: 'claimed' }, claim, NOW, 15)).toBe('abandoned');
		expect(claimState({ ...base, [status]: 'claimed' }, claim, NOW, 30)).toBe('held');
		// Recorded (the review moves on to asked/answered, the upsell to sent): later statuses are not claims.
		expect(claimState({ ...base, [status]: claim === 'review' ? 'asked' : 'sent', [`${claim}MessageId`]: 'wamid.R' }, claim, NOW, 15)).toBe('free');
		expect(claimState({ ...base, [status]: 'claimed', [`${claim}MessageId`]: 'wamid.R' }, claim, NOW, 15)).toBe('recorded');
	});

	test('a reminder slot number and its claim name are the same claim', () => {
		const row = { reminder2Sent: true, reminderInFlight: true, reminder2ClaimedAt: ago(30) };
		expect(claimState(row, 2, NOW, 15)).toBe(claimState(row, 'reminder2', NOW, 15));
		expect(takeOverConditions(2, 'b', 'c')).toEqual(takeOverConditions('reminder2', 'b', 'c'));
	});
});

describe('takeOverConditions for every claim', () => {
	test.each(Object.keys(CLAIMS) as Array<keyof typeof CLAIMS>)('%s: booking, claimed, unrecorded, in flight, older than the cutoff, still wanted', (claim) => {
		const spec = CLAIMS[claim];
		const conditions = takeOverConditions(claim, 'B', 'CUT');
		expect(conditions[0]).toEqual({ keyName: 'bookingId', condition: 'eq', keyValue: 'B' });
		expect(conditions.slice(1, 1 + spec.claimed.length)).toEqual(spec.claimed);
		expect(conditions.slice(1 + spec.claimed.length, 4 + spec.claimed.length)).toEqual([
			{ keyName: spec.messageIdColumn, condition: 'isEmpty' },
			{ keyName: spec.inFlightColumn, condition: 'isTrue' },
			{ keyName: spec.claimedAtColumn, condition: 'lt', keyValue: 'CUT' },
		]);
		expect(conditions.slice(4 + spec.claimed.length)).toEqual(spec.open);
	});

	test('the confirmation is taken over whatever the reminders did; review and upsell not after a cancellation', () => {
		expect(takeOverConditions('confirmation', 'B', 'CUT').filter((c) => c.keyName === 'stage')).toEqual([{ keyName: 'stage', condition: 'eq', keyValue: 'converted' }]);
		for (const claim of ['review', 'upsell'] as const) expect(takeOverConditions(claim, 'B', 'CUT')).toContainEqual({ keyName: 'stage', condition: 'neq', keyValue: 'cancelled' });
	});
});
