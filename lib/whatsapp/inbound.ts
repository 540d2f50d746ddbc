/**
 * Turns Meta's webhook envelope (object → entry[] → changes[] → value) into one flat event per
 * inbound message and per status update, the shape workflows route on.
 */
import { DateTime } from 'luxon';

import { parseJourneySendTag } from '../journey/sendTag';

export interface WhatsAppEvent {
	kind: 'message' | 'status';
	/** Unique per delivery we care about: the wamid for messages, wamid + status for statuses. */
	eventKey: string;
	wamid: string;
	wabaId?: string;
	phoneNumberId?: string;
	displayPhoneNumber?: string;
	/** ISO timestamp from Meta's unix seconds. */
	timestamp?: string;
	// inbound messages
	from?: string;
	profileName?: string;
	type?: string;
	text?: string;
	/** Reply-button id, list-row id, or a template quick-reply payload. */
	replyId?: string;
	replyTitle?: string;
	contextMessageId?: string;
	referral?: Record<string, unknown>;
	// statuses
	status?: string;
	recipientId?: string;
	conversationCategory?: string;
	/** `biz_opaque_callback_data` the send carried, returned by Meta with each of its statuses. */
	callbackData?: string;
	/** The journey send the status belongs to, when the callback data is a journey send tag (lib/journey/sendTag). */
	journeyClaim?: string;
	journeyBookingId?: string;
	errorCode?: number;
	errorTitle?: string;
	errorMessage?: string;
	errors?: Array<{
		code?: number;
		title?: string;
		message?: string;
		details?: string;
	}>;
}

export type ParsedWebhook = { ok: true; events: WhatsAppEvent[] } | { ok: false; reason: string };

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj =>
	value !== null && typeof value === 'object' && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function isoFromUnix(value: unknown): string | undefined {
	const seconds =
		typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
	if (!Number.isFinite(seconds)) return undefined;
	return DateTime.fromSeconds(seconds, { zone: 'utc' }).toISO() ?? undefined;
}

function messageEvent(
	message: Obj,
	value: Obj,
	base: Partial<WhatsAppEvent>,
): WhatsAppEvent | undefined {
	const wamid = str(message.id);
	if (!wamid) return undefined;
	const from = str(message.from);
	const contact =
		arr(value.contacts)
			.filter(isObj)
			.find((c) => str(c.wa_id) === from) ?? arr(value.contacts).find(isObj);
	const profile = isObj(contact) && isObj(contact.profile) ? contact.profile : undefined;
	const type = str(message.type);
	const event: WhatsAppEvent = {
		...base,
		kind: 'message',
		eventKey: wamid,
		wamid,
		from,
		profileName: str(profile?.name),
		type,
		timestamp: isoFromUnix(message.timestamp),
	};
	if (isObj(message.text)) event.text = str(message.text.body);
	if (isObj(message.interactive)) {
		const interactive = message.interactive;
		const reply = isObj(interactive.button_reply)
			? interactive.button_reply
			: isObj(interactive.list_reply)
				? interactive.list_reply
				: undefined;
		if (reply) {
			event.replyId = str(reply.id);
			event.replyTitle = str(reply.title);
			event.text = event.replyTitle;
		}
	}
	if (isObj(message.button)) {
		// A quick-reply button on a template.
		event.replyId = str(message.button.payload);
		event.replyTitle = str(message.button.text);
		event.text = event.replyTitle;
	}
	if (isObj(message.context)) event.contextMessageId = str(message.context.id);
	if (isObj(message.referral)) event.referral = message.referral;
	return event;
}

function statusEvent(status: Obj, base: Partial<WhatsAppEvent>): WhatsAppEvent | undefined {
	const wamid = str(status.id);
	const state = str(status.status);
	if (!wamid || !state) return undefined;
	const errors = arr(status.errors)
		.filter(isObj)
		.map((e) => ({
			code: typeof e.code === 'number' ? e.code : undefined,
			title: str(e.title),
			message: str(e.message),
			details: isObj(e.error_data) ? str(e.error_data.details) : undefined,
		}));
	const conversation = isObj(status.conversation) ? status.conversation : undefined;
	const pricing = isObj(status.pricing) ? status.pricing : undefined;
	const event: WhatsAppEvent = {
		...base,
		kind: 'status',
		eventKey: `${wamid}:${state}`,
		wamid,
		status: state,
		recipientId: str(status.recipient_id),
		timestamp: isoFromUnix(status.timestamp),
		conversationCategory:
			str(pricing?.category) ??
			(isObj(conversation?.origin) ? str(conversation.origin.type) : undefined),
	};
	const callbackData = str(status.biz_opaque_callback_data);
	if (callbackData !== undefined) {
		event.callbackData = callbackData;
		const send = parseJourneySendTag(callbackData);
		if (send) {
			event.journeyClaim = send.claim;
			event.journeyBookingId = send.bookingId;
		}
	}
	if (errors.length) {
		event.errors = errors;
		event.errorCode = errors[0].code;
		event.errorTitle = errors[0].title;
		event.errorMessage = errors[0].message ?? errors[0].details;
	}
	return event;
}

/** Reads a webhook body; an envelope that is not Meta's comes back as a reason, not an exception. */
export function parseWhatsAppWebhook(body: unknown): ParsedWebhook {
	if (!isObj(body)) return { ok: false, reason: 'The body is not a JSON object' };
	if (body.object !== 'whatsapp_business_account') {
		return {
			ok: false,
			reason: `"object" is ${JSON.stringify(body.object)}; expected "whatsapp_business_account"`,
		};
	}
	if (!Array.isArray(body.entry)) return { ok: false, reason: '"entry" must be an array' };
	const events: WhatsAppEvent[] = [];
	for (const entry of body.entry.filter(isObj)) {
		for (const change of arr(entry.changes).filter(isObj)) {
			if (change.field !== 'messages' || !isObj(change.value)) continue;
			const value = change.value;
			const metadata = isObj(value.metadata) ? value.metadata : {};
			const base: Partial<WhatsAppEvent> = {
				wabaId: str(entry.id),
				phoneNumberId: str(metadata.phone_number_id),
				displayPhoneNumber: str(metadata.display_phone_number),
			};
			for (const message of arr(value.messages).filter(isObj)) {
				const event = messageEvent(message, value, base);
				if (event) events.push(event);
			}
			for (const status of arr(value.statuses).filter(isObj)) {
				const event = statusEvent(status, base);
				if (event) events.push(event);
			}
		}
	}
	return { ok: true, events };
}
