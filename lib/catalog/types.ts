import type { Intent, IntentEntities, InterestIntent, Language } from '../intent/types';

export const ACCOMMODATION_TYPES = ['villa', 'suite', 'bungalow', 'room', 'cabin', 'apartment'] as const;
export type AccommodationType = (typeof ACCOMMODATION_TYPES)[number];

/** Text per language; `en` is required and used as fallback. */
export type LocalizedText = { en: string } & Partial<Record<Language, string>>;

export interface DateRange {
	/** First blocked night, YYYY-MM-DD. */
	from: string;
	/** Last blocked night (inclusive), YYYY-MM-DD. */
	to: string;
}

export interface Accommodation {
	id: string;
	name: LocalizedText;
	description?: LocalizedText;
	type: AccommodationType;
	capacity: { adults: number; children: number };
	interests: InterestIntent[];
	priceFrom: { amount: number; currency: string; per: 'night' };
	photoUrl: string;
	bookingUrl: string;
	unavailable?: DateRange[];
}

export interface Catalog {
	version: string | number;
	currency: string;
	accommodations: Accommodation[];
}

export interface Tracking {
	journeyId?: string;
	/** utm_source, default `whatsapp` */
	source?: string;
	/** utm_medium, default `chat` */
	medium?: string;
	/** utm_campaign, default derived from the intent (see campaignFor) */
	campaign?: string;
	/** utm_content, default the accommodation id */
	content?: string;
}

export interface LookupOptions {
	intent?: Intent;
	tags?: InterestIntent[];
	entities?: IntentEntities;
	language?: Language;
	/** Number of results, default 3. */
	limit?: number;
	tracking?: Tracking;
}

export interface LookupResult {
	id: string;
	name: string;
	type: AccommodationType;
	score: number;
	priceFrom: { amount: number; currency: string; per: 'night' };
	photoUrl: string;
	/** bookingUrl with UTM, journey and stay parameters */
	bookingUrl: string;
}

export interface ValidationIssue {
	/** e.g. `accommodations[3].capacity.adults` */
	path: string;
	message: string;
}

export interface ValidationResult {
	valid: boolean;
	errors: ValidationIssue[];
}
