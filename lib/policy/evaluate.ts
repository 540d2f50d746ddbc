/**
 * The WhatsApp sending policy for one message to one guest: block what must never go, defer
 * what may go later (quiet hours, frequency cap), send the rest. Pure: the caller passes `now`.
 */
import { DateTime } from 'luxon';

import { SERVICE_WINDOW_HOURS } from '../whatsapp/sender';
import { ceilToMinute, nextAllowedMinute, parseQuietHours } from './quietHours';
import {
	MESSAGE_CATEGORIES,
	PolicyInputError,
	type DeferReason,
	type FrequencyCap,
	type MessageCategory,
	type QuietHours,
	type SendPolicyDecision,
	type SendPolicyInput,
} from './types';

export const DEFAULT_QUIET_HOURS: QuietHours = { start: '21:00', end: '09:00' };
export const DEFAULT_FREQUENCY_CAP: FrequencyCap = { max: 2, windowHours: 24 };
export const DEFAULT_QUIET_HOURS_CATEGORIES: readonly MessageCategory[] = ['MARKETING'];

function parseInstant(value: string, field: string): DateTime {
	const t = DateTime.fromISO(String(value).trim(), { setZone: true });
	if (!t.isValid) throw new PolicyInputError(field, `"${value}" is not an ISO 8601 date-time`);
	return t;
}

function resolveZone(input: SendPolicyInput, now: DateTime): string {
	const resort = input.resortTimeZone?.trim() || 'UTC';
	if (!now.setZone(resort).isValid) {
		throw new PolicyInputError('resortTimeZone', `"${resort}" is not an IANA time zone`);
	}
	const guest = input.timeZone?.trim();
	if (!guest) return resort;
	if (!now.setZone(guest).isValid) {
		throw new PolicyInputError('timeZone', `"${guest}" is not an IANA time zone`);
	}
	return guest;
}

function checkCap(cap: FrequencyCap): FrequencyCap {
	if (!Number.isInteger(cap.max) || cap.max < 1) {
		throw new PolicyInputError(
			'frequencyCap.max',
			`must be a whole number of at least 1, got ${cap.max}`,
		);
	}
	if (!Number.isFinite(cap.windowHours) || cap.windowHours <= 0) {
		throw new PolicyInputError(
			'frequencyCap.windowHours',
			`must be more than 0, got ${cap.windowHours}`,
		);
	}
	return cap;
}

/**
 * When the cap next allows a MARKETING message: `now` when fewer than `max` sends fall in the
 * window (now − windowHours, now]; else the moment enough of them age out. A send at time s
 * counts until s + windowHours (exclusive).
 */
export function frequencyCapRelease(
	sentAt: readonly DateTime[],
	cap: FrequencyCap,
	now: DateTime,
): DateTime {
	const windowStart = now.minus({ hours: cap.windowHours });
	const recent = sentAt.filter((s) => s > windowStart).sort((a, b) => a.toMillis() - b.toMillis());
	if (recent.length < cap.max) return now;
	return recent[recent.length - cap.max].plus({ hours: cap.windowHours });
}

const MESSAGES = {
	opted_out: 'The guest opted out of these WhatsApp messages',
	no_marketing_consent: 'No marketing consent recorded for this guest',
	outside_service_window:
		'Free-form messages are allowed only within 24 hours of the guest’s last message; send a template',
	quiet_hours: 'Quiet hours for the guest',
	frequency_cap: 'Marketing frequency cap reached for the guest',
} as const;

/**
 * Decides whether a message may go now. Order: opt-out, marketing consent, the 24-hour window
 * for free-form messages, then the frequency cap (MARKETING) and quiet hours, which defer.
 * Throws PolicyInputError for input it cannot judge.
 */
export function evaluateSendPolicy(
	input: SendPolicyInput,
	now: DateTime | Date,
): SendPolicyDecision {
	const nowDt = (now instanceof Date ? DateTime.fromJSDate(now) : now).toUTC();
	if (!nowDt.isValid) throw new PolicyInputError('now', 'is not a valid time');
	const { messageKind, category } = input;
	if (messageKind !== 'template' && messageKind !== 'freeform') {
		throw new PolicyInputError(
			'messageKind',
			`must be "template" or "freeform", got "${messageKind}"`,
		);
	}
	if (!MESSAGE_CATEGORIES.includes(category)) {
		throw new PolicyInputError(
			'category',
			`must be one of ${MESSAGE_CATEGORIES.join(', ')}, got "${category}"`,
		);
	}
	const zone = resolveZone(input, nowDt);
	const quiet =
		input.quietHours === null
			? undefined
			: parseQuietHours(input.quietHours ?? DEFAULT_QUIET_HOURS);
	const cap =
		input.frequencyCap === null ? undefined : checkCap(input.frequencyCap ?? DEFAULT_FREQUENCY_CAP);
	const lastInbound =
		input.lastInboundAt && String(input.lastInboundAt).trim()
			? parseInstant(input.lastInboundAt, 'lastInboundAt')
			: undefined;
	const sentAt = (input.marketingSentAt ?? []).map((value, i) =>
		parseInstant(value, `marketingSentAt[${i}]`),
	);
	const marketing = category === 'MARKETING';

	// 1. Opt-out: marketing always; everything but replies when the guest opted out of all.
	if (input.optedOut === true) {
		const scope = input.optOutScope ?? 'marketing';
		if (marketing || (scope === 'all' && category !== 'SERVICE')) {
			return { decision: 'block', reason: 'opted_out', message: MESSAGES.opted_out };
		}
	}
	// 2. Marketing needs consent on record.
	if (marketing && input.marketingConsent !== true) {
		return {
			decision: 'block',
			reason: 'no_marketing_consent',
			message: MESSAGES.no_marketing_consent,
		};
	}
	// 3. Free-form only inside the customer service window (when we know it).
	const windowEnd = lastInbound?.plus({ hours: SERVICE_WINDOW_HOURS });
	if (messageKind === 'freeform' && windowEnd && nowDt >= windowEnd) {
		return {
			decision: 'block',
			reason: 'outside_service_window',
			message: MESSAGES.outside_service_window,
		};
	}

	// 4. Deferrals: the cap first, then quiet hours at that time (the cap only loosens later).
	const reasons: DeferReason[] = [];
	let at: DateTime<boolean> = nowDt.setZone(zone);
	if (marketing && cap) {
		const release = frequencyCapRelease(sentAt, cap, nowDt);
		if (release > nowDt) {
			at = ceilToMinute(release.setZone(zone));
			reasons.push('frequency_cap');
		}
	}
	const quietCategories = input.quietHoursCategories ?? DEFAULT_QUIET_HOURS_CATEGORIES;
	if (quiet && quietCategories.includes(category)) {
		const allowed = nextAllowedMinute(at, quiet);
		if (allowed > at) {
			at = allowed;
			reasons.push('quiet_hours');
		}
	}
	if (reasons.length === 0) return { decision: 'send' };
	// A free-form message cannot wait past the window: it would be refused then.
	if (messageKind === 'freeform' && windowEnd && at >= windowEnd) {
		return {
			decision: 'block',
			reason: 'outside_service_window',
			message: MESSAGES.outside_service_window,
		};
	}
	const reason = reasons[reasons.length - 1];
	return {
		decision: 'defer',
		sendAt: at.toUTC().toISO()!,
		sendAtLocal: at.toISO()!,
		reason,
		reasons,
		message: `${MESSAGES[reason]}: next allowed ${at.toFormat('yyyy-MM-dd HH:mm')} ${zone}`,
	};
}
