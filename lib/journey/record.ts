/**
 * Integrity rules for a journey row (`resort_journeys`) read back from n8n's Data table before a
 * message is sent on its behalf. A row that breaks one is not acted on: the workflows put it in
 * the correction queue with the problems named, so a person fixes it instead of a guest getting
 * the wrong message (or none, silently).
 */
import { maskPhone, phoneLookupKey, tryDecryptPhone, type PhoneKeys } from '../privacy';

export const JOURNEY_STAGES = ['started', 'abandoned', 'converted', 'cancelled'] as const;
export type JourneyStage = (typeof JOURNEY_STAGES)[number];

export interface JourneyProblem {
	/** Column the problem is about (or `row`). */
	field: string;
	/** Stable code, for counting and filtering in the queue. */
	code:
		| 'missing'
		| 'unknown_stage'
		| 'phone_unreadable'
		| 'phone_key_mismatch'
		| 'other_guest'
		| 'masked_mismatch'
		| 'flags_inconsistent'
		| 'amount_invalid';
	message: string;
}

export interface JourneyCheckOptions {
	/** Needed to check the encrypted number against the lookup key. */
	keys?: PhoneKeys;
	/** The lookup key of the guest this step is about (e.g. the event's); the row must be theirs. */
	expectedGuestKey?: string;
}

const CURRENCY = /^[A-Z]{3}$/;

function text(value: unknown): string {
	return typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
}

/**
 * Every problem found in one journey row; an empty list means the row can be acted on.
 * Never includes the guest's number (only masked forms) in a message.
 */
export function checkJourneyRecord(row: Record<string, unknown>, options: JourneyCheckOptions = {}): JourneyProblem[] {
	const problems: JourneyProblem[] = [];
	const add = (field: string, code: JourneyProblem['code'], message: string) => problems.push({ field, code, message });

	const bookingId = text(row.bookingId).trim();
	if (!bookingId) add('bookingId', 'missing', 'The row has no bookingId');

	const stage = text(row.stage);
	if (!stage) add('stage', 'missing', 'The row has no stage (the journey was never opened)');
	else if (!(JOURNEY_STAGES as readonly string[]).includes(stage)) {
		add('stage', 'unknown_stage', `Stage "${stage.slice(0, 40)}" is not one of ${JOURNEY_STAGES.join(', ')}`);
	}

	if (row.reminder2Sent === true && row.reminder1Sent !== true) {
		add('reminder2Sent', 'flags_inconsistent', 'Reminder 2 is marked sent but Reminder 1 is not');
	}

	if (stage === 'converted') {
		const amount = row.amountValue;
		if (amount !== null && amount !== undefined && (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0)) {
			add('amountValue', 'amount_invalid', 'The converted amount is not a non-negative number');
		}
		const currency = text(row.amountCurrency);
		if (amount !== null && amount !== undefined && !CURRENCY.test(currency)) {
			add('amountCurrency', 'amount_invalid', `Currency "${currency.slice(0, 10)}" is not an ISO 4217 code`);
		}
	}

	const guestKey = text(row.guestKey);
	const encrypted = text(row.phoneEncrypted);
	if (!guestKey) add('guestKey', 'missing', 'The row has no guestKey (keyed lookup hash of the phone)');
	if (!encrypted) add('phoneEncrypted', 'missing', 'The row has no encrypted phone');
	if (options.keys && encrypted) {
		const phone = tryDecryptPhone(encrypted, options.keys.encryptionKey);
		if (phone === undefined) {
			add('phoneEncrypted', 'phone_unreadable', 'The encrypted phone does not decrypt with this key (tampered, or another key)');
		} else {
			if (guestKey && phoneLookupKey(phone, options.keys.lookupKey) !== guestKey) {
				add('guestKey', 'phone_key_mismatch', 'guestKey is not the lookup key of the encrypted phone');
			}
			const masked = text(row.phone);
			if (masked && masked !== maskPhone(phone)) add('phone', 'masked_mismatch', 'The masked phone is not the encrypted one');
		}
	}
	if (options.expectedGuestKey && guestKey && guestKey !== options.expectedGuestKey) {
		add('guestKey', 'other_guest', 'The row belongs to another guest than this event');
	}
	return problems;
}
