export const INTEREST_INTENTS = ['romance', 'family', 'adventure', 'wellness', 'group'] as const;
export type InterestIntent = (typeof INTEREST_INTENTS)[number];

export const INTENTS = [
	'opt_out',
	'human',
	'availability',
	'pricing',
	'romance',
	'family',
	'adventure',
	'wellness',
	'group',
	'opt_in',
	'greeting',
	'thanks',
	'unknown',
] as const;
export type Intent = (typeof INTENTS)[number];
/** Intents that can be configured with keywords (everything except `unknown`). */
export type KeywordIntent = Exclude<Intent, 'unknown'>;

export const LANGUAGES = ['en', 'es', 'pt', 'fr', 'de', 'it'] as const;
export type Language = (typeof LANGUAGES)[number];

/** A keyword list: flat (language-neutral) or per language (`any` = language-neutral). */
export type KeywordList = readonly string[] | Partial<Record<Language | 'any', readonly string[]>>;

/** `keywords` option: extra keywords per intent (merged with the defaults unless `keywordsMode: 'replace'`). */
export type KeywordOverrides = Partial<Record<KeywordIntent, KeywordList>>;

/** Shape of templates/intent-keywords.json (also accepted as `keywords`, then it replaces the defaults). */
export interface KeywordsFile {
	version?: number;
	fillers?: readonly string[];
	commonWords?: readonly string[];
	languageHints?: Partial<Record<Language, readonly string[]>>;
	intents: Partial<Record<KeywordIntent, KeywordList>>;
}

export interface IntentEntities {
	/** Number of adults, when stated ("2 adults", "dos adultos", "2 Erwachsene"). */
	adults?: number;
	/** Number of children incl. babies, when stated. */
	children?: number;
	/**
	 * Total party size when stated without a split ("somos 4", "family of 4", "4 people"),
	 * or adults + children when adults are stated. Adults are never guessed from a total.
	 */
	guests?: number;
	/** ISO date YYYY-MM-DD. */
	checkIn?: string;
	/** ISO date YYYY-MM-DD. */
	checkOut?: string;
	nights?: number;
}

export interface IntentResult {
	intent: Intent;
	/** 0..1 – see `confidenceFor` in classify.ts. 0 for `unknown`. */
	confidence: number;
	/** All interest intents found (romance/family/adventure/wellness/group), strongest first. */
	tags: InterestIntent[];
	entities: IntentEntities;
	/** Best-effort language guess from keywords and function words; absent when unclear. */
	language?: Language;
}

export type DateInput = import('luxon').DateTime | Date | string;

export interface ClassifyOptions {
	/** Reference "today" for dates without a year. Defaults to the current time. */
	now?: DateInput;
	/** Extra (or replacement) keywords; compiled once per object and cached. */
	keywords?: KeywordOverrides | KeywordsFile;
	/** 'extend' (default) adds `keywords` to the built-in lists, 'replace' uses only `keywords`. */
	keywordsMode?: 'extend' | 'replace';
}
