/**
 * What the workflows record as they run (one row per event in the `resort_events` Data table),
 * and the funnel stages. Guests are identified only by their keyed lookup hash (`guestKey`),
 * never by number.
 */
import { z } from 'zod';

export const ANALYTICS_EVENT_TYPES = [
	'webhook_received',
	'webhook_rejected',
	'message_sent',
	'message_delivered',
	'message_read',
	'message_failed',
	'guest_reply',
	'button_click',
	'link_click',
	'stage_changed',
	'conversion',
] as const;
export type AnalyticsEventType = (typeof ANALYTICS_EVENT_TYPES)[number];

/** The guest journey in order; `recovered` is computed (see figures.ts), the others are recorded. */
export const FUNNEL_STAGES = [
	'first_contact',
	'qualified',
	'suggestions',
	'booking_started',
	'abandoned',
	'recovered',
	'confirmed',
	'reviewed',
	'upsold',
] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

const isoInstant = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO date-time');
const optionalText = z.string().max(500).optional().nullable();
const optionalNumber = z.number().finite().optional().nullable();

export const analyticsEventSchema = z.object({
	type: z.enum(ANALYTICS_EVENT_TYPES),
	at: isoInstant,
	guestKey: optionalText,
	bookingId: optionalText,
	/** WhatsApp message id (wamid): of the message sent, or of the message a reply/click answers. */
	messageId: optionalText,
	template: optionalText,
	language: optionalText,
	stage: z.enum(FUNNEL_STAGES).optional().nullable(),
	/** Rejections: why (e.g. bad_signature, invalid_schema); failures: Meta's error title. */
	reason: optionalText,
	httpStatus: optionalNumber,
	errorCode: z.union([z.number(), z.string()]).optional().nullable(),
	amount: optionalNumber,
	currency: optionalText,
	/** message_sent: ms from the booking webhook arriving to the WhatsApp request. */
	latencyMs: optionalNumber,
	/** Retries the send needed (0 when the first attempt went through). */
	retries: optionalNumber,
	/** The send fell back to a plain text because the template was refused. */
	fallback: z.boolean().optional().nullable(),
	source: optionalText,
});
export type AnalyticsEvent = z.infer<typeof analyticsEventSchema>;

/**
 * Rows as they come out of a Data table (extra columns like id/createdAt, nulls for empty
 * columns, numbers sometimes as strings) → valid events, and the rows that are not, with why.
 */
export function parseAnalyticsEvents(rows: unknown[]): { events: AnalyticsEvent[]; invalid: Array<{ index: number; problems: string[] }> } {
	const events: AnalyticsEvent[] = [];
	const invalid: Array<{ index: number; problems: string[] }> = [];
	rows.forEach((row, index) => {
		const candidate = typeof row === 'object' && row !== null ? coerceNumbers(row as Record<string, unknown>) : row;
		const parsed = analyticsEventSchema.safeParse(candidate);
		if (parsed.success) events.push(parsed.data);
		else invalid.push({ index, problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`) });
	});
	return { events, invalid };
}

const NUMERIC = ['httpStatus', 'amount', 'latencyMs', 'retries'] as const;

function coerceNumbers(row: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = { ...row };
	for (const key of NUMERIC) {
		const value = out[key];
		if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) out[key] = Number(value);
		if (value === '') out[key] = null;
	}
	if (out.at instanceof Date) out.at = out.at.toISOString();
	if (out.stage === '') out.stage = null;
	return out;
}
