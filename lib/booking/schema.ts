/**
 * The one definition of a booking event. Validation, the TypeScript types and the published
 * JSON Schema (templates/booking-event.schema.json, written by scripts/generate-booking-schema.ts)
 * all come from the zod schemas below, so they cannot drift apart. (No registry ids via .meta({ id }):
 * zod's global registry throws on a duplicate id, and this module may share a process with others.)
 *
 * Two kinds of "not good enough" are kept apart on purpose:
 * - invalid (HTTP 422): the payload breaks the contract — a malformed phone, a date that does not
 *   exist, a field required for its event type missing. `validateBookingEvent` names every field.
 * - needs review: the payload is valid but the resort cannot act on it automatically — no phone
 *   to write to, a marketing reminder without consent, an accommodation the catalog does not know.
 *   `actionability` says why. Missing *contact* data is therefore optional in the schema.
 */
import { IANAZone } from 'luxon';
import { z } from 'zod/v4';

export const BOOKING_EVENT_TYPES = [
	'booking_started',
	'booking_abandoned',
	'reservation_confirmed',
	'reservation_cancelled',
	'checked_in',
	'checked_out',
	'extra_purchased',
] as const;
export type BookingEventType = (typeof BOOKING_EVENT_TYPES)[number];

/** Reminders about an unfinished booking are marketing: they need the guest's opt-in. */
export const MARKETING_EVENT_TYPES: readonly BookingEventType[] = ['booking_started', 'booking_abandoned'];

/**
 * Reports the workflows only record (no message goes to the guest): a missing phone or an
 * accommodation the catalog does not know is no reason for a person to look at them.
 */
export const RECORD_ONLY_EVENT_TYPES: readonly BookingEventType[] = ['extra_purchased'];

export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;
/** BCP-47-ish: language, optional script, optional region (`en`, `pt-BR`, `zh-Hant-TW`, `es-419`). */
export const LANGUAGE_PATTERN = /^[a-zA-Z]{2,3}(?:-[a-zA-Z]{4})?(?:-(?:[a-zA-Z]{2}|\d{3}))?$/;

/** A schema-level message that still says "is required" when the field is absent. */
const msg = (text: string) => ({
	error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : text),
});

const id = (what: string) => z.string().min(1).max(200).describe(what);

export const guestSchema = z
	.strictObject({
		phone: z
			.string()
			.regex(E164_PATTERN, 'must be E.164: "+" then 7–15 digits, no spaces (e.g. +34600123456)')
			.optional()
			.describe(
				'WhatsApp number in E.164 (`+34600123456`). Optional: without it the event is valid but goes to manual review.',
			),
		name: z.string().trim().min(1).max(200).describe('Guest name as it should appear in messages.'),
		language: z
			.string()
			.regex(LANGUAGE_PATTERN, 'must be a language tag such as en, es, pt or pt-BR')
			.describe('Preferred language, BCP-47 style (`en`, `es`, `pt`, `pt-BR`). Chooses the message template language.'),
		marketingConsent: z
			.boolean()
			.describe(
				'Whether the guest opted in to marketing messages. Required and explicit: consent is never inferred. Without it, booking_started/booking_abandoned reminders go to review.',
			),
		timeZone: z
			.string()
			.refine((tz) => IANAZone.isValidZone(tz), 'must be an IANA time zone such as Europe/Madrid')
			.optional()
			.describe('Guest IANA time zone (`Europe/Madrid`), used for quiet hours. Optional.'),
	})
	.describe('The guest the messages go to.');

export const staySchema = z
	.strictObject({
		checkIn: z.iso.date(msg('must be a date YYYY-MM-DD')).describe('Arrival date, YYYY-MM-DD (property local date).'),
		checkOut: z.iso
			.date(msg('must be a date YYYY-MM-DD'))
			.describe('Departure date, YYYY-MM-DD; must be after checkIn.'),
		adults: z.int(msg('must be a whole number')).min(1).describe('Number of adults, at least 1.'),
		children: z.int(msg('must be a whole number')).min(0).describe('Number of children, 0 or more.'),
		accommodationId: id('Catalog id of the booked accommodation (see templates/catalog.example.json). An id the catalog does not know sends the event to review.'),
	})
	.refine((s) => s.checkOut > s.checkIn, { path: ['checkOut'], message: 'must be after checkIn' })
	.describe('What was booked.');

export const amountSchema = z
	.strictObject({
		value: z
			.number()
			.nonnegative()
			.describe('Amount paid, 0 or more, in major units (129.5 = 129.50): the total price of the stay; for extra_purchased, the price of the extra.'),
		currency: z
			.string()
			.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code of 3 capital letters (EUR, USD)')
			.describe('ISO 4217 currency code, three capital letters (`EUR`).'),
	})
	.describe('Total price of the booking; for extra_purchased, what the extra cost.');

export const extraSchema = z
	.strictObject({
		id: id('Id of the extra in the source system (add-on, product or service id, e.g. `spa-for-two`).'),
		name: z.string().trim().min(1).max(200).optional().describe('What was bought, as the resort names it (`Sunset spa ritual for two`). Optional.'),
		quantity: z.int(msg('must be a whole number')).min(1).optional().describe('How many were bought, 1 or more (default 1). amount is the total for all of them.'),
	})
	.describe('The extra bought during or after the stay (spa, dinner, late check-out, …).');

const baseShape = {
	eventId: id('Unique id of this event. Redeliveries must reuse it: it is the deduplication key.'),
	occurredAt: z.iso
		.datetime({ offset: true, ...msg('must be an ISO 8601 date-time with offset (2026-07-01T10:00:00+02:00 or …Z)') })
		.describe('When it happened, ISO 8601 with offset or Z (`2026-07-01T10:00:00+02:00`).'),
	bookingId: id('Id of the booking/reservation in the source system.'),
	guest: guestSchema,
	stay: staySchema,
	amount: amountSchema.optional(),
	source: z
		.string()
		.regex(/^[a-z0-9][a-z0-9_.-]{0,49}$/, 'must be a lowercase identifier such as direct, cloudbeds, mews, booking_widget')
		.describe('Where the event comes from: `direct`, `cloudbeds`, `mews`, `booking_widget`, …'),
	bookingUrl: z
		.url({ protocol: /^https?$/, ...msg('must be an http(s) URL') })
		.max(2000)
		.optional()
		.describe('Link to resume or manage the booking (used in reminders).'),
	metadata: z
		.record(z.string(), z.unknown())
		.optional()
		.describe('Free-form extra data from the source system, passed through untouched.'),
};

function variant<T extends BookingEventType, S extends z.core.$ZodLooseShape = Record<string, never>>(type: T, description: string, overrides?: S) {
	return z
		.strictObject({ ...baseShape, type: z.literal(type).describe('Event type.'), ...(overrides ?? ({} as S)) })
		.describe(description);
}

/** Per-type required fields: the variants differ only in what is optional. */
export const bookingEventSchema = z
	.discriminatedUnion('type', [
		variant('booking_started', 'A guest started a booking (marketing: needs consent). stay is optional: dates may not be chosen yet.', {
			stay: staySchema.optional(),
		}),
		variant('booking_abandoned', 'A guest left a booking unfinished (marketing: needs consent).'),
		variant('reservation_confirmed', 'A reservation was confirmed; amount is required.', { amount: amountSchema }),
		variant('reservation_cancelled', 'A reservation was cancelled.'),
		variant('checked_in', 'The guest checked in.'),
		variant('checked_out', 'The guest checked out.'),
		variant('extra_purchased', 'The guest bought an extra for the booking (spa, dinner, …); amount and extra are required, stay is optional. Recorded only: no message.', {
			stay: staySchema.optional(),
			amount: amountSchema,
			extra: extraSchema,
		}),
	])
	.meta({ title: 'Resort booking event' })
	.describe('A booking lifecycle event sent to the Resort WhatsApp booking webhook.');

export type BookingEvent = z.infer<typeof bookingEventSchema>;
export type Guest = z.infer<typeof guestSchema>;
export type Stay = z.infer<typeof staySchema>;
export type Amount = z.infer<typeof amountSchema>;
export type Extra = z.infer<typeof extraSchema>;

export interface FieldError {
	path: string;
	message: string;
}
export type BookingValidation = { ok: true; event: BookingEvent } | { ok: false; errors: FieldError[] };

const TYPE_MESSAGE = `must be one of ${BOOKING_EVENT_TYPES.join(', ')}`;

function dotted(path: ReadonlyArray<PropertyKey>): string {
	return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/** Validates untrusted JSON. Never throws; every failing field is named with a dotted path. */
export function validateBookingEvent(json: unknown): BookingValidation {
	try {
		const result = bookingEventSchema.safeParse(json, {
			error: (issue) => {
				if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
				if (issue.code === 'invalid_type' && issue.expected === 'object') return 'must be an object';
				return undefined;
			},
		});
		if (result.success) return { ok: true, event: result.data };
		const errors: FieldError[] = [];
		for (const issue of result.error.issues) {
			if (issue.code === 'unrecognized_keys') {
				for (const key of issue.keys) errors.push({ path: dotted([...issue.path, key]), message: 'is not a known field (put extra data in metadata)' });
			} else if (issue.code === 'invalid_union' && issue.path.length === 1 && issue.path[0] === 'type') {
				const t = (json as { type?: unknown }).type;
				errors.push({ path: 'type', message: t === undefined ? `is required (${TYPE_MESSAGE})` : TYPE_MESSAGE });
			} else {
				errors.push({ path: dotted(issue.path), message: issue.message });
			}
		}
		return { ok: false, errors };
	} catch (error) {
		return { ok: false, errors: [{ path: '(root)', message: `could not be validated: ${(error as Error).message}` }] };
	}
}

export interface ActionabilityOptions {
	/** Catalog accommodation ids; when given, an id outside the set sends the event to review. */
	knownAccommodationIds?: ReadonlySet<string>;
}
export interface Actionability {
	actionable: boolean;
	reasons: string[];
}

/** Reason codes `actionability` can return. */
export const REVIEW_REASONS = {
	missing_phone: 'guest.phone is missing: there is no WhatsApp number to write to',
	no_marketing_consent: 'marketing reminder (booking_started/booking_abandoned) without guest.marketingConsent',
	unknown_accommodation: 'stay.accommodationId is not in the catalog',
} as const;
export type ReviewReason = keyof typeof REVIEW_REASONS;

/** For a valid event: can the resort act on it automatically, or does it go to manual review? */
export function actionability(event: BookingEvent, options: ActionabilityOptions = {}): Actionability {
	const reasons: ReviewReason[] = [];
	if (RECORD_ONLY_EVENT_TYPES.includes(event.type)) return { actionable: true, reasons };
	if (!event.guest.phone) reasons.push('missing_phone');
	if (MARKETING_EVENT_TYPES.includes(event.type) && event.guest.marketingConsent !== true) {
		reasons.push('no_marketing_consent');
	}
	if (options.knownAccommodationIds && event.stay && !options.knownAccommodationIds.has(event.stay.accommodationId)) {
		reasons.push('unknown_accommodation');
	}
	return { actionable: reasons.length === 0, reasons };
}

/**
 * Fields an incomplete (adapter-built) event still lacks: every path the schema reports as
 * "is required" for its type, plus `guest.phone` (optional in the schema, needed to act).
 * Without a known `type` the whole per-type requirement cannot be known, so `type` is listed.
 */
export function missingFields(partial: Record<string, unknown>): string[] {
	const missing = new Set<string>();
	const guest = partial.guest as Record<string, unknown> | undefined;
	const probe = { ...partial, type: partial.type ?? 'reservation_confirmed' };
	const result = validateBookingEvent(probe);
	if (partial.type === undefined) missing.add('type');
	if (!result.ok) {
		for (const e of result.errors) if (e.message === 'is required') missing.add(e.path);
	}
	if (!guest || guest.phone === undefined) missing.add('guest.phone');
	// An absent object hides its required children: list them so an enrichment step knows what to fetch.
	const expand: Record<string, string[]> = {
		guest: ['guest.name', 'guest.language', 'guest.marketingConsent'],
		stay: ['stay.checkIn', 'stay.checkOut', 'stay.adults', 'stay.children', 'stay.accommodationId'],
		amount: ['amount.value', 'amount.currency'],
	};
	for (const [parent, children] of Object.entries(expand)) {
		if (missing.has(parent)) {
			missing.delete(parent);
			for (const c of children) missing.add(c);
		}
	}
	return [...missing].sort();
}
