/**
 * Journey send tags: closing the window between "WhatsApp accepted the send" and "the journey
 * recorded it" (issue #9).
 *
 * The Cloud API has no idempotency key. If n8n dies after Meta accepted a journey message but
 * before the journey row got its message id, the claim looks abandoned and a replay would send
 * the message again. So every claimed send carries a tag in `biz_opaque_callback_data`, which Meta
 * copies into that message's status webhooks (sent, delivered, read, failed) and redelivers until
 * the receiver answers 2xx. The WhatsApp trigger reads the tag back, and first-contact records the
 * message id on the journey row from the status. That happens before the claim's lease ends as long
 * as n8n is back (and the status redelivered) within the lease, so the replay finds the send
 * `recorded` and does not send it again.
 *
 * Every claimed send is recorded this way. A review recorded from its status still owes the reply
 * wait and the upsell of the run that sent it: the post-stay replay adopts that wait instead of
 * sending the review again (docs/recovery.md).
 */
import { CLAIMS, type ClaimName, type ClaimSpec, type TakeOverCondition } from './lease';

/** Versioned, so a later format can be told apart from this one. */
const PREFIX = 'resort-journey/1';
/** Meta's limit on `biz_opaque_callback_data`. */
export const CALLBACK_DATA_MAX_LENGTH = 512;

/** The sends whose status webhooks record them on the journey row (see the module comment). */
export const STATUS_RECORDED_CLAIMS = ['reminder1', 'reminder2', 'confirmation', 'review', 'upsell'] as const satisfies readonly ClaimName[];
export type StatusRecordedClaim = (typeof STATUS_RECORDED_CLAIMS)[number];

export interface JourneySend {
	claim: ClaimName;
	bookingId: string;
}

export function journeySendTag(claim: ClaimName, bookingId: string): string {
	if (!(claim in CLAIMS)) throw new Error(`Unknown journey send "${claim}"`);
	const id = bookingId.trim();
	if (!id) throw new Error('A journey send tag needs the booking id');
	const tag = `${PREFIX}:${claim}:${id}`;
	if (tag.length > CALLBACK_DATA_MAX_LENGTH) throw new Error(`The booking id is too long for a send tag (${tag.length} > ${CALLBACK_DATA_MAX_LENGTH} characters)`);
	return tag;
}

/** The send a status belongs to, or `undefined` for callback data that is not a journey tag. */
export function parseJourneySendTag(data: unknown): JourneySend | undefined {
	if (typeof data !== 'string' || !data.startsWith(`${PREFIX}:`)) return undefined;
	const rest = data.slice(PREFIX.length + 1);
	const colon = rest.indexOf(':');
	if (colon <= 0) return undefined;
	const claim = rest.slice(0, colon);
	// The booking id is everything after the claim: it may itself contain colons.
	const bookingId = rest.slice(colon + 1);
	if (!(claim in CLAIMS) || !bookingId.trim()) return undefined;
	return { claim: claim as ClaimName, bookingId };
}

/** Statuses that prove Meta accepted the message (a `failed` status too: it was accepted, then not delivered). */
const ACCEPTED_STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);

/**
 * What a status webhook writes on the journey row: the message id and in-flight cleared, only on a
 * row whose send is claimed and has no message id yet (the filter the workflow's update uses). In
 * the usual case the send's own Record step got there first and this changes nothing.
 */
export function statusRecordUpdate(send: JourneySend, status: string, wamid: string): { columns: Record<string, string | boolean>; onlyIfEmpty: string } | undefined {
	if (!(STATUS_RECORDED_CLAIMS as readonly string[]).includes(send.claim) || !ACCEPTED_STATUSES.has(status) || !wamid) return undefined;
	const spec: ClaimSpec = CLAIMS[send.claim];
	const columns: Record<string, string | boolean> = { [spec.messageIdColumn]: wamid, [spec.inFlightColumn]: false };
	if (spec.recordedStatus) columns[spec.recordedStatus.column] = spec.recordedStatus.value;
	return { columns, onlyIfEmpty: spec.messageIdColumn };
}

/**
 * The conditions of First Contact's "Record … From Status" updates: the booking, the send claimed,
 * no message id yet. They match the rows `statusRecordUpdate` writes to, and no others.
 */
export function statusRecordConditions(claim: StatusRecordedClaim, bookingIdExpression: string): TakeOverCondition[] {
	const spec = CLAIMS[claim];
	return [{ keyName: 'bookingId', condition: 'eq', keyValue: bookingIdExpression }, ...spec.claimed, { keyName: spec.messageIdColumn, condition: 'isEmpty' }];
}

/** The literal start of a send's Callback Data expression: the tag up to the booking id. */
export function journeySendTagPrefix(claim: ClaimName): string {
	return `${PREFIX}:${claim}:`;
}
