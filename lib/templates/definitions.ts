import brandingJson from '../../templates/branding.json';
import helloGuest from '../../templates/message-templates/hello_guest.json';
import bookingReminder1 from '../../templates/message-templates/journeys/booking_reminder_1.json';
import bookingReminder2 from '../../templates/message-templates/journeys/booking_reminder_2.json';
import postPurchaseReview from '../../templates/message-templates/journeys/post_purchase_review.json';
import productSuggestions from '../../templates/message-templates/journeys/product_suggestions.json';
import reservationConfirmation from '../../templates/message-templates/journeys/reservation_confirmation.json';
import upsellOffer from '../../templates/message-templates/journeys/upsell_offer.json';
import welcomeQualifier from '../../templates/message-templates/journeys/welcome_qualifier.json';
import type { Branding, MetaTemplate, TemplateDefinition } from './types';
import { TemplateError } from './types';

export const JOURNEY_TEMPLATE_NAMES = [
	'welcome_qualifier',
	'product_suggestions',
	'booking_reminder_1',
	'booking_reminder_2',
	'reservation_confirmation',
	'post_purchase_review',
	'upsell_offer',
] as const;

const JOURNEYS: unknown[] = [
	welcomeQualifier,
	productSuggestions,
	bookingReminder1,
	bookingReminder2,
	reservationConfirmation,
	postPurchaseReview,
	upsellOffer,
];

/** The shipped branding (templates/branding.json). */
export const DEFAULT_BRANDING = brandingJson as Branding;

/**
 * Wraps a single-language Meta template (hello_guest.json's shape) as a definition; its body
 * placeholders become variables `param_1`, `param_2`, … unless names are given.
 */
export function fromMetaTemplate(t: MetaTemplate, bodyNames: string[] = []): TemplateDefinition {
	const body = t.components.find((c) => c.type === 'BODY');
	const count = body?.text ? placeholderNumbers(body.text).length : 0;
	return {
		name: t.name,
		category: t.category,
		variables: {
			body: Array.from({ length: count }, (_, i) => ({ name: bodyNames[i] ?? `param_${i + 1}` })),
		},
		languages: { [t.language]: { components: t.components } },
	};
}

/** Distinct `{{n}}` numbers in a text, in order of first appearance. */
export function placeholderNumbers(text: string): number[] {
	const seen: number[] = [];
	for (const m of text.matchAll(/\{\{\s*(\d+)\s*\}\}/g)) {
		const n = Number(m[1]);
		if (!seen.includes(n)) seen.push(n);
	}
	return seen;
}

/** Deep copy of JSON data, so callers can't change the shipped definitions. */
export function clone<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

/** Every shipped template: the seven journey templates, then hello_guest. Fresh copies each call. */
export function loadTemplates(): TemplateDefinition[] {
	const defs = JOURNEYS.map((d) => clone(d) as TemplateDefinition);
	defs.push(fromMetaTemplate(clone(helloGuest) as MetaTemplate, ['guest_name']));
	return defs;
}

export function findTemplate(templates: TemplateDefinition[], name: string): TemplateDefinition {
	const def = templates.find((t) => t.name === name);
	if (!def) {
		throw new TemplateError(
			`Unknown template "${name}". Known templates: ${templates.map((t) => t.name).join(', ')}`,
		);
	}
	return def;
}

/** The create-template request body for one language: `{ name, language, category, components }`. */
export function toMetaTemplate(def: TemplateDefinition, language: string): MetaTemplate {
	const lang = def.languages[language];
	if (!lang) {
		throw new TemplateError(
			`Template "${def.name}" has no "${language}" version (has ${Object.keys(def.languages).join(', ')})`,
		);
	}
	return { name: def.name, language, category: def.category, components: clone(lang.components) };
}

/**
 * The definition with every dynamic booking-site URL button (`<bookingBaseUrl>{{1}}`) pointing at
 * the Resort Tracked Link Trigger instead (`<trackedLinkBaseUrl>{{1}}`, e.g.
 * `https://n8n.example.com/webhook/<id>/go?l=`). Sends must then fill `{{1}}` with a signed token
 * (Resort WhatsApp → Send Template → Track Link Clicks), which the trigger turns back into the path.
 */
export function withTrackedLinks(def: TemplateDefinition, trackedLinkBaseUrl: string, bookingBaseUrl: string): TemplateDefinition {
	const copy = clone(def);
	if (!trackedLinkBaseUrl) return copy;
	for (const lang of Object.values(copy.languages)) {
		for (const component of lang.components) {
			for (const button of component.buttons ?? []) {
				if (button.type !== 'URL' || typeof button.url !== 'string') continue;
				if (!button.url.startsWith(bookingBaseUrl) || !/\{\{\s*1\s*\}\}$/.test(button.url)) continue;
				button.url = `${trackedLinkBaseUrl}{{1}}`;
				button.example = [`${trackedLinkBaseUrl}l1.eyJwIjoicmVzdW1lL2JrLTEyMyIsImkiOjB9.example`];
			}
		}
	}
	return copy;
}
