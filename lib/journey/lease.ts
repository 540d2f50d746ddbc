/**
 * Claim leases for journey sends (issue #9: SIGKILL mid-journey).
 *
 * A reminder is claimed before it is sent (`reminderNSent = true, reminderInFlight = true`, by a
 * conditional update of the journey row) and recorded after (`reminderNMessageId`,
 * `reminderInFlight = false`). When n8n dies between the two, the claim stays forever and a replay
 * of the crashed execution (workflows/journey-recovery.json) would find it taken and skip the send.
 * A claim therefore carries the time it was taken (`reminderNClaimedAt`); one that is still in
 * flight, has no message id and is older than the lease counts as abandoned, and one execution may
 * take it over (again by a conditional update, so only one does).
 *
 * The workflows do the compare-and-set in the Data table (the only atomic step they have); these
 * functions are the rule it encodes, for tests and for tools that read the rows.
 */
import { DateTime } from 'luxon';

export type ReminderSlot = 1 | 2;

/** Default lease: far above a send's legitimate time in flight (rate limiting + retries take seconds, at most a few minutes). */
export const DEFAULT_CLAIM_LEASE_MINUTES = 15;

export type ClaimState =
	/** Nobody has claimed the send: a normal claim may take it. */
	| 'free'
	/** Sent and recorded: nothing to do. */
	| 'recorded'
	/** Claimed and in flight within the lease: another execution is sending it. */
	| 'held'
	/** Claimed, never recorded, lease over: the claimer died; it may be taken over. */
	| 'abandoned'
	/** Claimed, not in flight, no message id: the send failed (review queue) or is parked for quiet hours. */
	| 'settled';

function toDateTime(value: unknown): DateTime | undefined {
	if (value instanceof Date) return DateTime.fromJSDate(value);
	if (DateTime.isDateTime(value)) return value;
	if (typeof value === 'string' && value.trim()) {
		const parsed = DateTime.fromISO(value.trim());
		return parsed.isValid ? parsed : undefined;
	}
	return undefined;
}

/** Claims taken before this instant are past their lease. */
export function claimLeaseCutoff(now: DateTime | Date, leaseMinutes: number): DateTime {
	if (!Number.isFinite(leaseMinutes) || leaseMinutes <= 0) throw new Error(`The claim lease must be a positive number of minutes, got ${leaseMinutes}`);
	const at = now instanceof Date ? DateTime.fromJSDate(now) : now;
	return at.minus({ milliseconds: Math.round(leaseMinutes * 60_000) });
}

/**
 * State of one reminder's claim in a journey row. A claim without `reminderNClaimedAt` (rows
 * written before leases existed) is never taken over: without a time there is no lease to expire.
 */
export function reminderClaimState(row: Record<string, unknown>, slot: ReminderSlot, now: DateTime | Date, leaseMinutes: number): ClaimState {
	if (row[`reminder${slot}Sent`] !== true) return 'free';
	const messageId = row[`reminder${slot}MessageId`];
	if (typeof messageId === 'string' && messageId.trim()) return 'recorded';
	if (row.reminderInFlight !== true) return 'settled';
	const claimedAt = toDateTime(row[`reminder${slot}ClaimedAt`]);
	if (!claimedAt) return 'held';
	return claimedAt < claimLeaseCutoff(now, leaseMinutes) ? 'abandoned' : 'held';
}

/** One Data table filter condition as the shipped workflows write it. */
export interface TakeOverCondition {
	keyName: string;
	condition: 'eq' | 'neq' | 'isTrue' | 'isEmpty' | 'lt';
	/** `undefined` for conditions without a value; the booking and the cutoff are n8n expressions. */
	keyValue?: string;
}

/**
 * The conditions of the "Take Over Reminder N" update in workflows/booking-abandonment.json:
 * exactly the rows `reminderClaimState` calls `abandoned`, on a booking that was not converted or
 * cancelled meanwhile (the same stage guard as the claim).
 */
export function takeOverConditions(slot: ReminderSlot, bookingIdExpression: string, cutoffExpression: string): TakeOverCondition[] {
	return [
		{ keyName: 'bookingId', condition: 'eq', keyValue: bookingIdExpression },
		{ keyName: `reminder${slot}Sent`, condition: 'isTrue' },
		{ keyName: `reminder${slot}MessageId`, condition: 'isEmpty' },
		{ keyName: 'reminderInFlight', condition: 'isTrue' },
		{ keyName: `reminder${slot}ClaimedAt`, condition: 'lt', keyValue: cutoffExpression },
		{ keyName: 'stage', condition: 'neq', keyValue: 'converted' },
		{ keyName: 'stage', condition: 'neq', keyValue: 'cancelled' },
	];
}
