/** What the sending path needs to know about one message and one guest to apply the policy. */

export type MessageKind = 'template' | 'freeform';

/** Meta's template categories, plus SERVICE for free-form replies inside the 24-hour window. */
export type MessageCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION' | 'SERVICE';

export const MESSAGE_CATEGORIES: readonly MessageCategory[] = [
	'MARKETING',
	'UTILITY',
	'AUTHENTICATION',
	'SERVICE',
];

/** Local wall-clock times, 'HH:mm'. `start` > `end` wraps midnight (21:00–09:00). */
export interface QuietHours {
	start: string;
	end: string;
}

/** At most `max` MARKETING messages to one guest in any `windowHours` hours. */
export interface FrequencyCap {
	max: number;
	windowHours: number;
}

/**
 * 'marketing' (default): the guest stopped promotions; transactional messages about their own
 * stay still go. 'all': the guest asked us to stop messaging them on WhatsApp; only replies to
 * their own messages (SERVICE) still go.
 */
export type OptOutScope = 'marketing' | 'all';

export interface SendPolicyInput {
	messageKind: MessageKind;
	category: MessageCategory;
	optedOut?: boolean;
	optOutScope?: OptOutScope;
	/** Must be true for MARKETING: absent consent is no consent. */
	marketingConsent?: boolean;
	/** ISO time of the guest's last message to us. Unknown: the window is not checked here. */
	lastInboundAt?: string;
	/** The guest's IANA time zone; default `resortTimeZone`. */
	timeZone?: string;
	/** The resort's IANA time zone; default UTC. */
	resortTimeZone?: string;
	/** Default 21:00–09:00. `null` turns quiet hours off. */
	quietHours?: QuietHours | null;
	/** Which categories wait for the end of quiet hours; default MARKETING only. */
	quietHoursCategories?: readonly MessageCategory[];
	/** ISO times of recent MARKETING messages to this guest (any order, older ones ignored). */
	marketingSentAt?: readonly string[];
	/** Default 2 per 24 hours. `null` turns the cap off. */
	frequencyCap?: FrequencyCap | null;
}

export type DeferReason = 'quiet_hours' | 'frequency_cap';
export type BlockReason = 'opted_out' | 'no_marketing_consent' | 'outside_service_window';

export type SendPolicyDecision =
	| { decision: 'send' }
	| {
			decision: 'defer';
			/** The first minute the message may go, UTC ISO (for n8n's Wait node). */
			sendAt: string;
			/** The same instant in the guest's time zone. */
			sendAtLocal: string;
			/** The rule that set `sendAt` (the later one when both applied). */
			reason: DeferReason;
			/** Every rule that pushed the send back, in the order applied. */
			reasons: DeferReason[];
			message: string;
	  }
	| { decision: 'block'; reason: BlockReason; message: string };

/** Input the policy cannot judge (bad time, zone or setting): the send must not go ahead blindly. */
export class PolicyInputError extends Error {
	constructor(
		readonly field: string,
		message: string,
	) {
		super(`${field}: ${message}`);
		this.name = 'PolicyInputError';
	}
}
