/** Policy parameters from n8n (or any loosely typed source) → SendPolicyInput. Pure. */
import { DEFAULT_FREQUENCY_CAP, DEFAULT_QUIET_HOURS } from './evaluate';
import {
	MESSAGE_CATEGORIES,
	PolicyInputError,
	type MessageCategory,
	type MessageKind,
	type OptOutScope,
	type SendPolicyInput,
} from './types';

/** The Policy parameters as n8n hands them over (expressions resolve to any type). */
export interface PolicyParameters {
	category?: string;
	optedOut?: unknown;
	optOutScope?: string;
	marketingConsent?: unknown;
	lastInboundAt?: unknown;
	timeZone?: string;
	quietHoursStart?: string;
	quietHoursEnd?: string;
	quietHoursCategories?: string[] | string;
	marketingSentAt?: unknown;
	frequencyCapMax?: number | string;
	frequencyCapWindowHours?: number | string;
}

function text(value: unknown): string {
	return value === undefined || value === null ? '' : String(value).trim();
}

/** Booleans from Data tables and expressions: true/false, "true"/"yes"/"1", 1/0. */
function toBoolean(value: unknown, field: string): boolean | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'boolean') return value;
	if (typeof value === 'number') return value !== 0;
	const text = String(value).trim().toLowerCase();
	if (['true', 'yes', '1', 'y'].includes(text)) return true;
	if (['false', 'no', '0', 'n'].includes(text)) return false;
	throw new PolicyInputError(field, `"${String(value)}" is not true or false`);
}

/** Also accepts Date, epoch milliseconds and luxon DateTime (n8n expressions produce those). */
function toIso(value: unknown, field: string): string {
	if (value instanceof Date) return value.toISOString();
	if (typeof value === 'number') return new Date(value).toISOString();
	if (typeof value === 'string') return value;
	if (
		value &&
		typeof value === 'object' &&
		typeof (value as { toISO?: unknown }).toISO === 'function'
	) {
		return String((value as { toISO: () => string }).toISO());
	}
	throw new PolicyInputError(field, `${JSON.stringify(value)} is not a date-time`);
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

export function toTimes(value: unknown): string[] {
	if (value === undefined || value === null || value === '') return [];
	let list: unknown = value;
	if (typeof value === 'string') {
		const text = value.trim();
		if (text === '') return [];
		if (text.startsWith('[')) {
			list = parseJson(text);
			if (list === undefined) throw new PolicyInputError('marketingSentAt', 'is not a JSON array');
		} else {
			list = text
				.split(',')
				.map((part) => part.trim())
				.filter(Boolean);
		}
	}
	if (!Array.isArray(list)) list = [list];
	return (list as unknown[]).map((entry, i) => toIso(entry, `marketingSentAt[${i}]`));
}

function toCategory(value: unknown): MessageCategory {
	const upper = String(value).trim().toUpperCase();
	if (!(MESSAGE_CATEGORIES as readonly string[]).includes(upper)) {
		throw new PolicyInputError(
			'category',
			`must be one of ${MESSAGE_CATEGORIES.join(', ')}, got "${String(value)}"`,
		);
	}
	return upper as MessageCategory;
}

/**
 * Turns loosely typed parameters (Data table values, expression results) into a policy input.
 * Unset category: templates count as UTILITY, free-form messages as SERVICE.
 * Throws PolicyInputError for values the policy cannot judge.
 */
export function policyInputFromParameters(
	p: PolicyParameters,
	messageKind: MessageKind,
	resortTimeZone?: string,
): SendPolicyInput {
	const category =
		p.category !== undefined && p.category !== ''
			? toCategory(p.category)
			: messageKind === 'template'
				? 'UTILITY'
				: 'SERVICE';
	const scope = (p.optOutScope ?? 'marketing') as OptOutScope;
	if (scope !== 'marketing' && scope !== 'all') {
		throw new PolicyInputError(
			'optOutScope',
			`must be "marketing" or "all", got "${String(scope)}"`,
		);
	}
	const quietCategories =
		p.quietHoursCategories === undefined
			? undefined
			: (Array.isArray(p.quietHoursCategories)
					? p.quietHoursCategories
					: String(p.quietHoursCategories).split(',')
				)
					.map((c) => c.trim())
					.filter(Boolean)
					.map(toCategory);
	const capMax =
		p.frequencyCapMax === undefined ? DEFAULT_FREQUENCY_CAP.max : Number(p.frequencyCapMax);
	const capWindow =
		p.frequencyCapWindowHours === undefined
			? DEFAULT_FREQUENCY_CAP.windowHours
			: Number(p.frequencyCapWindowHours);
	const lastInbound = p.lastInboundAt ?? '';
	return {
		messageKind,
		category,
		optedOut: toBoolean(p.optedOut, 'optedOut'),
		optOutScope: scope,
		marketingConsent: toBoolean(p.marketingConsent, 'marketingConsent'),
		lastInboundAt: lastInbound === '' ? undefined : toIso(lastInbound, 'lastInboundAt'),
		timeZone: text(p.timeZone) || undefined,
		resortTimeZone,
		quietHours: {
			start: text(p.quietHoursStart) || DEFAULT_QUIET_HOURS.start,
			end: text(p.quietHoursEnd) || DEFAULT_QUIET_HOURS.end,
		},
		quietHoursCategories: quietCategories,
		marketingSentAt: toTimes(p.marketingSentAt),
		frequencyCap: capMax === 0 ? null : { max: capMax, windowHours: capWindow },
	};
}
