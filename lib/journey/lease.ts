/**
 * Claim leases for journey sends (issue #9: SIGKILL mid-journey).
 *
 * Every journey send is claimed before it is sent (a conditional update of the journey row that
 * also sets its in-flight flag and the claim time) and recorded after (its message id, in-flight
 * cleared). When n8n dies between the two, the claim stays forever and a replay of the crashed
 * execution (workflows/journey-recovery.json) would find it taken and skip the send. A claim
 * therefore carries the time it was taken (`…ClaimedAt`); one that is still in flight, has no
 * message id and is older than the lease counts as abandoned, and one execution may take it over
 * (again by a conditional update that renews the time, so only one does).
 *
 * The sends and their columns are listed once, in `CLAIMS`; the workflows do the compare-and-set
 * in the Data table (the only atomic step they have), and these functions are the rule it encodes,
 * for tests and for tools that read the rows.
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
	/** Claimed, not in flight, no message id: the send failed (review queue) or is parked for a deferral. */
	| 'settled';

/** One Data table filter condition as the shipped workflows write it. */
export interface TakeOverCondition {
	keyName: string;
	condition: 'eq' | 'neq' | 'isTrue' | 'isEmpty' | 'lt';
	/** `undefined` for conditions without a value; the booking and the cutoff are n8n expressions. */
	keyValue?: string;
}

/** A journey send that is claimed, sent and recorded, with the columns of `resort_journeys` that say so. */
export interface ClaimSpec {
	/** Where it is sent. */
	workflow: string;
	/** What the claim wrote: these hold once the send was claimed (by anyone). */
	claimed: readonly TakeOverCondition[];
	/** Set when the send is recorded. */
	messageIdColumn: string;
	/** True from the claim until the send has an outcome (recorded, failed, parked for a deferral). */
	inFlightColumn: string;
	/** When it was claimed (claim, re-claim after a deferral, take-over): the lease runs from here. */
	claimedAtColumn: string;
	/** The send is still wanted: the claim's own guard on the stage. */
	open: readonly TakeOverCondition[];
	/** The status column the send's Record step sets besides the message id (post-stay sends). */
	recordedStatus?: { column: string; value: string };
}

const OPEN_BOOKING: TakeOverCondition[] = [
	{ keyName: 'stage', condition: 'neq', keyValue: 'converted' },
	{ keyName: 'stage', condition: 'neq', keyValue: 'cancelled' },
];
const NOT_CANCELLED: TakeOverCondition[] = [{ keyName: 'stage', condition: 'neq', keyValue: 'cancelled' }];

/** Every claimed journey send (one definition: the workflows' take-over nodes are checked against it). */
export const CLAIMS = {
	reminder1: {
		workflow: 'booking-abandonment.json',
		claimed: [{ keyName: 'reminder1Sent', condition: 'isTrue' }],
		messageIdColumn: 'reminder1MessageId',
		inFlightColumn: 'reminderInFlight',
		claimedAtColumn: 'reminder1ClaimedAt',
		open: OPEN_BOOKING,
	},
	reminder2: {
		workflow: 'booking-abandonment.json',
		claimed: [{ keyName: 'reminder2Sent', condition: 'isTrue' }],
		messageIdColumn: 'reminder2MessageId',
		inFlightColumn: 'reminderInFlight',
		claimedAtColumn: 'reminder2ClaimedAt',
		open: OPEN_BOOKING,
	},
	/** Claimed by the `stage → converted` transition (Mark Converted); a later cancellation closes it. */
	confirmation: {
		workflow: 'reservation-confirmation.json',
		claimed: [{ keyName: 'stage', condition: 'eq', keyValue: 'converted' }],
		messageIdColumn: 'confirmationMessageId',
		inFlightColumn: 'confirmationInFlight',
		claimedAtColumn: 'confirmationClaimedAt',
		open: [],
	},
	review: {
		workflow: 'post-stay-review-upsell.json',
		claimed: [{ keyName: 'reviewStatus', condition: 'eq', keyValue: 'claimed' }],
		messageIdColumn: 'reviewMessageId',
		inFlightColumn: 'reviewInFlight',
		claimedAtColumn: 'reviewClaimedAt',
		open: NOT_CANCELLED,
		recordedStatus: { column: 'reviewStatus', value: 'asked' },
	},
	upsell: {
		workflow: 'post-stay-review-upsell.json',
		claimed: [{ keyName: 'upsellStatus', condition: 'eq', keyValue: 'claimed' }],
		messageIdColumn: 'upsellMessageId',
		inFlightColumn: 'upsellInFlight',
		claimedAtColumn: 'upsellClaimedAt',
		open: NOT_CANCELLED,
		recordedStatus: { column: 'upsellStatus', value: 'sent' },
	},
} as const satisfies Record<string, ClaimSpec>;

export type ClaimName = keyof typeof CLAIMS;

const claimOf = (claim: ClaimName | ReminderSlot): ClaimSpec => CLAIMS[typeof claim === 'number' ? (`reminder${claim}` as const) : claim];

function toDateTime(value: unknown): DateTime | undefined {
	if (value instanceof Date) return DateTime.fromJSDate(value);
	if (DateTime.isDateTime(value)) return value;
	if (typeof value === 'string' && value.trim()) {
		const parsed = DateTime.fromISO(value.trim());
		return parsed.isValid ? parsed : undefined;
	}
	return undefined;
}

const isEmpty = (value: unknown) => value === null || value === undefined || (typeof value === 'string' && value.trim() === '');

/** A Data table condition without a date (the claim's own conditions) applied to a row read back. */
function holds(row: Record<string, unknown>, c: TakeOverCondition): boolean {
	const value = row[c.keyName];
	switch (c.condition) {
		case 'isTrue':
			return value === true;
		case 'isEmpty':
			return isEmpty(value);
		case 'eq':
			return !isEmpty(value) && String(value) === c.keyValue;
		case 'neq':
			return String(value ?? '') !== c.keyValue;
		case 'lt':
			throw new Error(`'lt' is only used against the claim time (${c.keyName})`);
	}
}

/** Claims taken before this instant are past their lease. */
export function claimLeaseCutoff(now: DateTime | Date, leaseMinutes: number): DateTime {
	if (!Number.isFinite(leaseMinutes) || leaseMinutes <= 0) throw new Error(`The claim lease must be a positive number of minutes, got ${leaseMinutes}`);
	const at = now instanceof Date ? DateTime.fromJSDate(now) : now;
	return at.minus({ milliseconds: Math.round(leaseMinutes * 60_000) });
}

/**
 * State of one send's claim in a journey row. A claim without a claim time (rows written before
 * leases existed) is never taken over: without a time there is no lease to expire.
 */
export function claimState(row: Record<string, unknown>, claim: ClaimName | ReminderSlot, now: DateTime | Date, leaseMinutes: number): ClaimState {
	const spec = claimOf(claim);
	if (!spec.claimed.every((c) => holds(row, c))) return 'free';
	if (!isEmpty(row[spec.messageIdColumn])) return 'recorded';
	if (row[spec.inFlightColumn] !== true) return 'settled';
	const claimedAt = toDateTime(row[spec.claimedAtColumn]);
	if (!claimedAt) return 'held';
	return claimedAt < claimLeaseCutoff(now, leaseMinutes) ? 'abandoned' : 'held';
}

/** `claimState` for Reminder 1 or 2 (kept for callers from before the other journeys had leases). */
export function reminderClaimState(row: Record<string, unknown>, slot: ReminderSlot, now: DateTime | Date, leaseMinutes: number): ClaimState {
	return claimState(row, slot, now, leaseMinutes);
}

/**
 * The conditions of a "Take Over …" update in the shipped workflows: exactly the rows `claimState`
 * calls `abandoned`, on a booking where the send is still wanted (the same stage guard as the
 * claim). Order: booking, claimed, no message id, in flight, claim time before the cutoff, stage.
 */
export function takeOverConditions(claim: ClaimName | ReminderSlot, bookingIdExpression: string, cutoffExpression: string): TakeOverCondition[] {
	const spec = claimOf(claim);
	return [
		{ keyName: 'bookingId', condition: 'eq', keyValue: bookingIdExpression },
		...spec.claimed,
		{ keyName: spec.messageIdColumn, condition: 'isEmpty' },
		{ keyName: spec.inFlightColumn, condition: 'isTrue' },
		{ keyName: spec.claimedAtColumn, condition: 'lt', keyValue: cutoffExpression },
		...spec.open,
	];
}
